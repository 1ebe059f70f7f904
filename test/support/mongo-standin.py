#!/usr/bin/python3
"""A MongoDB wire-protocol stand-in for machines where no mongod can be installed.

Run it with the Debian interpreter (the packages below live in its dist-packages):

    /usr/bin/python3 test/support/mongo-standin.py --port 0 [--verbose] [--exit-with-parent]

It prints exactly one line, ``LISTENING <port>``, to stdout once it accepts
connections; everything else goes to stderr.

Layers:
  * python3-mockupdb 1.8 speaks the wire protocol (OP_MSG, including kind-1
    document sequences, which it merges into the command document, and legacy
    OP_QUERY commands for old handshakes). One catch-all autoresponder hands
    every request to ``handle_request``, in a thread per connection. Engine
    commands take turns (ENGINE_LOCK); hello and ping do not wait for them.
  * python3-mongomock 4.1.2 is the query/update/aggregation engine. It scans
    the whole collection for every query and uniqueness check; this file keeps
    hash indexes of the unique indexes instead (see "Maintained hash indexes")
    and finds documents by _id or unique key through them, so writes cost the
    same on a large collection as on an empty one.
  * This file turns MongoDB commands into engine calls and engine results and
    errors into MongoDB-shaped replies (write errors, E11000 messages, cursors).

Anything the stand-in or mongomock cannot do faithfully fails loudly with
``{ok: 0, code: 59 or 115, errmsg: "mongo-standin: ..."}``; nothing is
silently ignored except options that cannot change results (write/read
concerns, sessions, comments, maxTimeMS, index hints that name an existing
index).
"""

import argparse
import collections
import datetime
import itertools
import json
import os
import random
import re
import signal
import sys
import threading
import time
import traceback
import uuid
import weakref
from collections.abc import Mapping

import bson
import bson.errors
from bson.binary import Binary, UuidRepresentation
from bson.codec_options import CodecOptions
from bson.decimal128 import Decimal128
from bson.int64 import Int64
from bson.objectid import ObjectId
from bson.regex import Regex

import mockupdb
import mongomock
from mongomock import aggregate as mongomock_aggregate
from mongomock import filtering
from mongomock import helpers as mm_helpers
from mongomock.collection import Collection as MongomockCollection
from mongomock.collection import Cursor as MongomockCursor
from mongomock.store import CollectionStore

SERVER_VERSION = '7.0.0'
MAX_WIRE_VERSION = 21  # MongoDB 7.0; the Node.js driver 7 needs at least 8.
MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024
MAX_MESSAGE_SIZE_BYTES = 48000000
MAX_WRITE_BATCH_SIZE = 100000
DEFAULT_FIRST_BATCH = 101
CURSOR_IDLE_TIMEOUT_S = 600  # Like mongod's cursorTimeoutMillis default.

CODE_NAMES = {
    1: 'InternalError',
    2: 'BadValue',
    9: 'FailedToParse',
    13: 'Unauthorized',
    14: 'TypeMismatch',
    20: 'IllegalOperation',
    26: 'NamespaceNotFound',
    27: 'IndexNotFound',
    43: 'CursorNotFound',
    48: 'NamespaceExists',
    52: 'DollarPrefixedFieldName',
    59: 'CommandNotFound',
    66: 'ImmutableField',
    67: 'CannotCreateIndex',
    72: 'InvalidOptions',
    73: 'InvalidNamespace',
    85: 'IndexOptionsConflict',
    86: 'IndexKeySpecsConflict',
    115: 'CommandNotSupported',
    11000: 'DuplicateKey',
    40323: 'Location40323',
}

# Fields any command may carry that cannot change its result here: sessions,
# cluster time, read/write concerns, Stable API, comments, time limits.
GENERIC_FIELDS = frozenset([
    '$db', 'lsid', '$clusterTime', 'txnNumber', '$readPreference',
    'writeConcern', 'readConcern', 'apiVersion', 'apiStrict',
    'apiDeprecationErrors', 'comment', 'maxTimeMS', '$client',
])

# mockupdb decodes into OrderedDict and maps BSON UUIDs to Python uuid.UUID,
# which it would re-encode with the legacy subtype 3. Decode into plain dicts
# (mongomock is written for them) and keep binaries as Binary so subtypes
# round-trip. mockupdb looks CODEC_OPTIONS up at call time, so patching works.
# Consequence: embedded-document equality is order-insensitive here, while
# MongoDB compares field order too.
mockupdb.CODEC_OPTIONS = CodecOptions(
    document_class=dict, uuid_representation=UuidRepresentation.UNSPECIFIED)

# Dates: decoding with tz_aware=False gives naive UTC datetimes, mongomock
# stores them as they are, and bson encodes naive datetimes as UTC, so BSON
# dates round-trip exactly (BSON has millisecond precision, as do the decoded
# values). mongomock quirk: its utcnow() (used by $currentDate) keeps
# microseconds, so a stored "now" would not equal the millisecond value the
# client reads back and queries with. Truncate it like mongod does.
def _utcnow_ms():
    now = datetime.datetime.utcnow()
    return now.replace(microsecond=now.microsecond - now.microsecond % 1000)


mongomock.utcnow = _utcnow_ms

# mongomock is not thread-safe; mockupdb runs a thread per connection. Every
# command that touches the engine holds this lock throughout (LOCK_FREE_COMMANDS
# do not touch it).
ENGINE_LOCK = threading.RLock()
ENGINE = mongomock.MongoClient()
VERBOSE = False


def log(message):
    sys.stderr.write('mongo-standin: %s\n' % message)
    sys.stderr.flush()


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------

class CommandError(Exception):
    """A command-level failure, sent back as {ok: 0, code, codeName, errmsg}."""

    def __init__(self, code, errmsg, **extra):
        super().__init__(errmsg)
        self.code = code
        self.errmsg = errmsg
        self.extra = extra

    def to_reply(self):
        reply = {'ok': 0.0, 'errmsg': self.errmsg, 'code': self.code,
                 'codeName': CODE_NAMES.get(self.code, 'UnknownError')}
        reply.update(self.extra)
        return reply


def unsupported(what):
    return CommandError(115, 'mongo-standin: %s' % what)


class DuplicateKey(mongomock.DuplicateKeyError):
    """mongomock's DuplicateKeyError with the details MongoDB reports.

    Subclassing keeps mongomock's rollback paths (they catch
    DuplicateKeyError) working.
    """

    def __init__(self, errmsg, key_pattern, key_value):
        super().__init__(errmsg, 11000, {'keyPattern': key_pattern, 'keyValue': key_value})
        self.errmsg = errmsg
        self.key_pattern = key_pattern
        self.key_value = key_value

    def to_fields(self):
        return {'code': 11000, 'errmsg': self.errmsg,
                'keyPattern': self.key_pattern, 'keyValue': self.key_value}


def error_fields(exc):
    """Map an engine exception to {code, errmsg[, keyPattern, keyValue]}."""
    if isinstance(exc, DuplicateKey):
        return exc.to_fields()
    if isinstance(exc, CommandError):
        fields = {'code': exc.code, 'errmsg': exc.errmsg}
        fields.update(exc.extra)
        return fields
    if isinstance(exc, NotImplementedError):
        return {'code': 115, 'errmsg': 'mongo-standin: not supported by mongomock: %s' % exc}
    if isinstance(exc, mongomock.OperationFailure):
        # pymongo's errors carry an optional code; mongomock often leaves it out.
        return {'code': exc.code or 2, 'errmsg': str(exc)}
    if isinstance(exc, (ValueError, TypeError)):
        # mongomock raises these for malformed filters/updates (user errors).
        return {'code': 2, 'errmsg': str(exc)}
    raise exc  # Anything else is a bug here or in mongomock: let it surface.


# --------------------------------------------------------------------------
# Value formatting for E11000 messages (mimics mongod's "dup key: { ... }")
# --------------------------------------------------------------------------

def format_value(value):
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, int):
        return str(int(value))  # Int64's repr would say "Int64(5)"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Binary):
        if value.subtype == 4 and len(value) == 16:
            return 'UUID("%s")' % uuid.UUID(bytes=bytes(value))
        return 'BinData(%d, %s)' % (value.subtype, bytes(value).hex().upper())
    if isinstance(value, ObjectId):
        return "ObjectId('%s')" % value
    if isinstance(value, datetime.datetime):
        return 'new Date(%d)' % _datetime_to_ms(value)
    if isinstance(value, Decimal128):
        return 'NumberDecimal("%s")' % value
    if isinstance(value, Mapping):
        if not value:
            return '{}'
        return '{ %s }' % ', '.join('%s: %s' % (k, format_value(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        if not value:
            return '[]'
        return '[ %s ]' % ', '.join(format_value(v) for v in value)
    return repr(value)


def _datetime_to_ms(value):
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    delta = value - datetime.datetime(1970, 1, 1)
    return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000


# --------------------------------------------------------------------------
# Unique indexes, checked with MongoDB's semantics
# --------------------------------------------------------------------------
#
# mongomock quirks worked around here:
#  * its uniqueness check turns each key into an equality query, so arrays
#    (multikey indexes) never conflict element-wise, True == 1, and a sparse
#    index skips explicit nulls (mongod indexes null, it only skips *missing*
#    fields);
#  * create_index's check of existing data ignores partialFilterExpression;
#  * its E11000 errors carry no index name, keyPattern or keyValue.
# So the stand-in computes index keys itself and raises DuplicateKey.

_MISSING = object()    # The indexed path does not exist in the document.
_UNDEFINED = object()  # What an empty array contributes to an index or sort key.


def canonical(value):
    """A hashable form of a BSON value that is equal exactly when mongod's
    index would consider the values equal (numbers compare across types,
    booleans are not numbers, field order matters in documents)."""
    kind = type(value)  # Fast paths for the commonest key types.
    if kind is str:
        return ('str', value)
    if kind is ObjectId:
        return ('oid', value.binary)  # bytes cache their hash; ObjectId's is Python code.
    if value is None or value is _MISSING:
        return ('null',)
    if value is _UNDEFINED:
        return ('undefined',)
    if isinstance(value, bool):
        return ('bool', value)
    if isinstance(value, (int, float)):
        return ('num', value)
    if isinstance(value, Decimal128):
        return ('num', value.to_decimal())
    if isinstance(value, str):
        return ('str', value)
    if isinstance(value, Mapping):
        return ('doc', tuple((k, canonical(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ('arr', tuple(canonical(v) for v in value))
    if isinstance(value, datetime.datetime):
        return ('date', value.replace(tzinfo=None) if value.tzinfo is None
                else value.astimezone(datetime.timezone.utc).replace(tzinfo=None))
    if isinstance(value, Binary):
        return ('bin', value.subtype, bytes(value))
    if isinstance(value, Regex):
        return ('regex', value.pattern, value.flags)
    if isinstance(value, ObjectId):
        return ('oid', value.binary)
    return (type(value).__name__, value)


def path_values(doc, path):
    """All values an index on `path` sees in `doc` (multikey expansion).

    Returns a list of values; _MISSING when the path does not exist.
    """
    def walk(node, parts):
        if not parts:
            return [node]
        head, rest = parts[0], parts[1:]
        if isinstance(node, Mapping):
            if head not in node:
                return [_MISSING]
            return walk(node[head], rest)
        if isinstance(node, list):
            out = []
            if head.isdigit() and int(head) < len(node):
                out.extend(walk(node[int(head)], rest))
            for item in node:
                if isinstance(item, Mapping):
                    out.extend(walk(item, parts))
            return out or [_MISSING]
        return [_MISSING]

    values = []
    for value in walk(doc, path.split('.')):
        if isinstance(value, list):
            # An array field indexes each element; an empty array indexes
            # as undefined.
            values.extend(value if value else [_UNDEFINED])
        else:
            values.append(value)
    return values


def index_keys(doc, index):
    """The set of (canonical key tuple, readable key values) for a document,
    or None when the index does not cover the document (sparse/partial)."""
    fields = [field for field, _ in index['key']]
    per_field = [path_values(doc, field) for field in fields]
    if index.get('sparse') and all(values == [_MISSING] for values in per_field):
        return None
    pfe = index.get('partialFilterExpression')
    if pfe is not None and not filtering.filter_applies(pfe, doc):
        return None
    keys = {}
    for combo in itertools.product(*per_field):
        canon = tuple(canonical(v) for v in combo)
        readable = {f: (None if v is _MISSING or v is _UNDEFINED else v) for f, v in zip(fields, combo)}
        keys.setdefault(canon, readable)
    return keys


def duplicate_key_error(collection, index_name, index, key_value, prefix=''):
    key_pattern = {field: direction for field, direction in index['key']}
    errmsg = '%sE11000 duplicate key error collection: %s.%s index: %s dup key: %s' % (
        prefix, collection.database.name, collection.name, index_name, format_value(key_value))
    return DuplicateKey(errmsg, key_pattern, key_value)


# Maintained hash indexes
# -----------------------
#
# Scanning the collection for every written document makes bulk writes
# quadratic (a 5,000-upsert batch on 50,000 documents took half an hour), so
# each collection store carries a CollectionState with, per unique index, a
# hash map {canonical key: owner} kept up to date on every write:
#  * inserts and deletes go through CollectionStore.__setitem__/__delitem__
#    (mongomock's _insert, _delete, its rollbacks and TTL expiry all do), which
#    are hooked below; drop() resets the state;
#  * updates change stored documents in place and then call _ensure_uniques,
#    which checks the new keys against the maps and re-registers them. Every
#    document an update statement visits is re-synchronised afterwards too, so
#    mongomock's blind spots (it skips the check when the document compares
#    equal, e.g. 1 -> True, and leaves a half-applied update in place when an
#    operator fails midway) cannot leave the maps out of date.
# The maps are rebuilt from the documents whenever the collection's set of
# unique indexes changes. Owners are store keys (the _id as mongomock keys its
# store), never document objects: rollbacks put snapshot copies in place.
#
# The same maps, and the store's own _id dictionary, find the candidates of
# filters that pin _id or every field of a unique index to plain values
# (_iter_documents below); the full filter is still applied to them.

def store_key(doc_id):
    """The key mongomock's CollectionStore files a document under."""
    return mm_helpers.hashdict(doc_id) if isinstance(doc_id, dict) else doc_id


class _OwnerSet(set):
    """Several owners of one key: only when stored data already violates the
    index (mongomock let it through); store keys are never sets."""


_NO_OWNER = object()


class UniqueMap(object):
    """{canonical key: owner store key} for one unique index."""

    __slots__ = ('name', 'index', 'owners', 'doc_keys')

    def __init__(self, name, index):
        self.name = name
        self.index = index
        self.owners = {}
        self.doc_keys = {}  # store key -> index_keys() of that document (absent: not covered)

    def add(self, skey, keys):
        if not keys:
            return
        self.doc_keys[skey] = keys
        owners = self.owners
        for canon in keys:
            owner = owners.get(canon, _NO_OWNER)
            if owner is _NO_OWNER:
                owners[canon] = skey
            elif type(owner) is _OwnerSet:
                owner.add(skey)
            elif owner != skey:
                owners[canon] = _OwnerSet((owner, skey))

    def remove(self, skey):
        keys = self.doc_keys.pop(skey, None)
        if not keys:
            return
        owners = self.owners
        for canon in keys:
            owner = owners.get(canon, _NO_OWNER)
            if type(owner) is _OwnerSet:
                owner.discard(skey)
                if len(owner) == 1:
                    owners[canon] = next(iter(owner))
            elif owner is not _NO_OWNER and owner == skey:
                del owners[canon]

    def other_owner(self, canon, skey):
        """Whether a document other than `skey` holds `canon`."""
        owner = self.owners.get(canon, _NO_OWNER)
        if owner is _NO_OWNER:
            return False
        if type(owner) is _OwnerSet:
            return any(o is not skey and o != skey for o in owner)
        return owner is not skey and owner != skey

    def owners_of(self, canon):
        owner = self.owners.get(canon, _NO_OWNER)
        if owner is _NO_OWNER:
            return ()
        return owner if type(owner) is _OwnerSet else (owner,)


class CollectionState(object):
    """Per CollectionStore: natural order and the unique-index maps."""

    def __init__(self, store):
        self.counter = itertools.count()
        # store key -> insertion number, to return index-found candidates in
        # natural order (an OrderedDict keeps a replaced key in place).
        self.seq = {skey: next(self.counter) for skey in store._documents}
        self.defs = None  # [(name, index)] the maps were built for; None: build on next use
        self.maps = []
        self.fresh = None  # The document the last __setitem__ registered, until checked.

    @staticmethod
    def unique_defs(store):
        return [(name, index) for name, index in store.indexes.items() if index.get('unique')]

    def current(self, store):
        """Whether the maps match the store's unique indexes (no rebuild)."""
        defs = self.defs
        if defs is None:
            return False
        unique = self.unique_defs(store)
        if len(unique) != len(defs) or any(
                n1 != n2 or i1 is not i2 for (n1, i1), (n2, i2) in zip(unique, defs)):
            self.defs = None
            return False
        return True

    def unique_maps(self, store):
        """The maps, rebuilt from the documents if the indexes changed."""
        if not self.current(store):
            self.fresh = None
            defs = self.unique_defs(store)
            maps = []
            for name, index in defs:
                umap = UniqueMap(name, index)
                for skey, doc in store._documents.items():
                    umap.add(skey, index_keys(doc, index))
                maps.append(umap)
            self.maps, self.defs = maps, defs
        return self.maps

    def on_set(self, store, skey, doc):
        self.fresh = None
        replaced = skey in self.seq  # A rollback putting a snapshot back.
        if not replaced:
            self.seq[skey] = next(self.counter)
        if not self.current(store):
            return  # Rebuilt from the documents on next use.
        try:
            for umap in self.maps:
                if replaced:
                    umap.remove(skey)
                umap.add(skey, index_keys(doc, umap.index))
        except Exception:  # pylint: disable=broad-except
            # index_keys failed (a partialFilterExpression mongomock cannot
            # evaluate): rebuild later, where the error surfaces again.
            self.defs = None
            return
        self.fresh = doc

    def on_delete(self, store, skey):
        self.seq.pop(skey, None)
        self.fresh = None
        if self.current(store):
            for umap in self.maps:
                umap.remove(skey)

    def resync(self, store, skeys):
        """Re-register documents an update visited (see the comment above)."""
        self.fresh = None
        if not skeys or not self.current(store):
            return
        documents = store._documents
        for skey in skeys:
            doc = documents.get(skey)
            if doc is None:
                continue
            for umap in self.maps:
                keys = index_keys(doc, umap.index)
                old = umap.doc_keys.get(skey)
                if (keys or {}).keys() != (old or {}).keys():
                    umap.remove(skey)
                    umap.add(skey, keys)


def collection_state(store):
    state = store.__dict__.get('_standin_state')
    if state is None:
        state = store._standin_state = CollectionState(store)
    return state


_original_store_setitem = CollectionStore.__setitem__
_original_store_delitem = CollectionStore.__delitem__
_original_store_drop = CollectionStore.drop


def store_setitem(self, key, value):
    _original_store_setitem(self, key, value)
    state = self.__dict__.get('_standin_state')
    if state is not None:
        state.on_set(self, key, value)


def store_delitem(self, key):
    _original_store_delitem(self, key)
    state = self.__dict__.get('_standin_state')
    if state is not None:
        state.on_delete(self, key)


def store_drop(self):
    _original_store_drop(self)
    self._standin_state = None


CollectionStore.__setitem__ = store_setitem
CollectionStore.__delitem__ = store_delitem
CollectionStore.drop = store_drop


class _UpdateVisit(object):
    """The documents one mongomock _update call visits, re-synchronised as
    soon as it is done with each (before it turns to the next one, which may
    clash with it) unless _ensure_uniques re-registered them already."""
    __slots__ = ('store', 'pending', 'checked')

    def __init__(self, store):
        self.store = store
        self.pending = []  # Store keys of visited documents not settled yet.
        self.checked = set()

    def settle(self):
        pending = [skey for skey in self.pending if skey not in self.checked]
        del self.pending[:]
        self.checked.clear()
        state = self.store.__dict__.get('_standin_state')
        if state is not None:
            state.resync(self.store, pending)


_UPDATE_VISITS = []  # Innermost running _update last (the engine lock serialises them).


def ensure_uniques(self, new_data):
    """Replacement for mongomock's Collection._ensure_uniques.

    Called by mongomock after it stored `new_data` (insert) or changed it in
    place (update); raising DuplicateKeyError makes mongomock roll back.
    """
    store = self._store
    state = collection_state(store)
    fresh, state.fresh = state.fresh is new_data, None
    maps = state.maps if fresh else state.unique_maps(store)  # on_set just checked them.
    if not maps:
        return
    skey = store_key(new_data.get('_id'))
    computed = []
    for umap in maps:
        # A document __setitem__ just stored is registered already.
        keys = umap.doc_keys.get(skey) if fresh else index_keys(new_data, umap.index)
        # A multikey document may clash on several keys: report its first.
        for canon, readable in (keys or {}).items():
            if umap.other_owner(canon, skey):
                raise duplicate_key_error(self, umap.name, umap.index, readable)
        computed.append((umap, keys))
    # Register only once every index accepted the document.
    if not fresh:
        for umap, keys in computed:
            umap.remove(skey)
            umap.add(skey, keys)
    if _UPDATE_VISITS:
        _UPDATE_VISITS[-1].checked.add(skey)


_original_update = MongomockCollection._update


def update_and_resync(self, *args, **kwargs):
    """Wrap mongomock's _update to re-synchronise the unique-index maps."""
    visit = _UpdateVisit(self._store)
    _UPDATE_VISITS.append(visit)
    try:
        return _original_update(self, *args, **kwargs)
    finally:
        _UPDATE_VISITS.pop()
        visit.settle()


# Filter values whose store-key lookup finds exactly what mongomock's scan
# matches for {_id: value}: hash and == agree with its comparison (not
# Binary: it hashes with its subtype but equals plain bytes; not Decimal128:
# unhashable; not documents: hashdict ignores field order).
def _plain_id(value):
    if isinstance(value, (str, ObjectId, datetime.datetime)):
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value == value


def _index_alternatives(value):
    """Canonical keys under which a document matching {field: value} (per
    mongomock's comparison) is filed in a unique index, or None."""
    if isinstance(value, str):
        return [canonical(value)]
    if isinstance(value, ObjectId):
        # mongomock quirk: an ObjectId also matches its hex string in an array.
        return [canonical(value), canonical(str(value))]
    if isinstance(value, datetime.datetime):
        return [canonical(value)]
    if isinstance(value, bool):
        return [canonical(value), canonical(int(value))]  # True == 1 in Python
    if isinstance(value, int) or isinstance(value, float) and value == value:
        keys = [canonical(value)]
        if value in (0, 1):
            keys.append(canonical(bool(value)))
        return keys
    return None


def _equality_values(condition):
    """The values a filter condition pins a field to ({f: v}, {f: {$eq: v}},
    {f: {$in: [...]}}), or None when it is anything else."""
    if not isinstance(condition, Mapping):
        return [condition]
    if len(condition) != 1:
        return None
    (op, arg), = condition.items()
    if op == '$eq':
        return [arg]
    if op == '$in' and isinstance(arg, list):
        return arg
    return None


def _lookup_keys(condition):
    """The canonical keys under which documents matching a field condition
    are filed in a unique index, or None when the condition is not plain
    equality (or $in) on values _index_alternatives knows."""
    values = _equality_values(condition)
    if values is None:
        return None
    keys = set()
    for value in values:
        alternatives = _index_alternatives(value)
        if alternatives is None:
            return None
        keys.update(alternatives)
    return keys


MAX_LOOKUP_KEYS = 100000


def candidate_documents(store, spec):
    """The documents that can match `spec`, in natural order, found through
    the _id dictionary or a unique index; None when a scan is needed."""
    if not isinstance(spec, Mapping) or not spec:
        return None
    found = _candidates_by_id(store, spec)
    if found is None:
        found = _candidates_by_unique_index(store, spec)
        if found is None:
            return None
    if len(found) < 2:
        return list(found.values())
    seq = collection_state(store).seq
    return [found[skey] for skey in sorted(found, key=seq.__getitem__)]


def _candidates_by_id(store, spec):
    values = _equality_values(spec['_id']) if '_id' in spec else None
    if values is None or not all(_plain_id(v) for v in values):
        return None
    found = {}  # store key -> document
    for value in values:
        doc = store._documents.get(value)
        if doc is not None:
            found[store_key(doc['_id'])] = doc
    return found


def _candidates_by_unique_index(store, spec):
    state = collection_state(store)
    for umap in state.unique_maps(store):
        index = umap.index
        if index.get('partialFilterExpression') is not None:
            continue
        fields = [field for field, _ in index['key']]
        if any('.' in field or field not in spec for field in fields):
            continue  # Dotted paths: mongomock walks arrays its own way.
        per_field = [_lookup_keys(spec[field]) for field in fields]
        if any(keys is None for keys in per_field):
            continue
        n_keys = 1
        for keys in per_field:
            n_keys *= len(keys)
        if n_keys > MAX_LOOKUP_KEYS:
            continue
        found = {}
        for canon in itertools.product(*per_field):
            for skey in umap.owners_of(canon):
                doc = store._documents.get(skey)
                if doc is None:  # Cannot happen while the maps are right; scan instead.
                    state.defs = None
                    return None
                found[skey] = doc
        return found
    return None


def iter_documents(self, spec):
    """Replacement for mongomock's Collection._iter_documents.

    Like mongomock, it fixes the candidate list at call time and filters it
    lazily; update statements record what they visit (see update_and_resync).
    """
    store = self._store
    docs = candidate_documents(store, spec)
    if docs is None:
        if store.is_empty:
            filtering.filter_applies(spec, {})  # Validate the filter even if no documents can be returned.
        docs = list(store.documents)
    elif not docs:
        filtering.filter_applies(spec, {})
    return _matching(docs, spec)


def _matching(docs, spec):
    visit = _UPDATE_VISITS[-1] if _UPDATE_VISITS else None
    filter_applies = filtering.filter_applies
    for doc in docs:
        if visit is not None and visit.pending:
            visit.settle()  # The update is done with the previous document.
        if filter_applies(spec, doc):
            if visit is not None:
                visit.pending.append(store_key(doc.get('_id')))
            yield doc
    if visit is not None and visit.pending:
        visit.settle()  # Before an upsert, say.


_original_insert = MongomockCollection._insert


def insert_with_id_check(self, data, session=None, ordered=True):
    """Wrap mongomock's _insert to report _id clashes like mongod does."""
    if isinstance(data, Mapping) and '_id' in data:
        doc_id = data['_id']
        if isinstance(doc_id, list):
            raise mongomock.WriteError("The '_id' value cannot be of type array", 2)
        if isinstance(doc_id, (Regex, type(re.compile('')))):
            raise mongomock.WriteError("can't use a regex for _id", 2)
        lookup = mm_helpers.hashdict(doc_id) if isinstance(doc_id, dict) else doc_id
        if lookup in self._store:
            raise duplicate_key_error(self, '_id_', {'key': [('_id', 1)]}, {'_id': doc_id})
    return _original_insert(self, data, session=session, ordered=ordered)


MongomockCollection._ensure_uniques = ensure_uniques
MongomockCollection._insert = insert_with_id_check
MongomockCollection._update = update_and_resync
MongomockCollection._iter_documents = iter_documents


# --------------------------------------------------------------------------
# Sorting with MongoDB's array semantics
# --------------------------------------------------------------------------
#
# mongomock quirk: find() and $sort order an array by its *first* element.
# mongod uses the smallest element for ascending and the largest for
# descending sorts (an empty array sorts before null and missing fields).

def sort_key(field, direction):
    if isinstance(direction, bool) or direction not in (1, -1):
        raise NotImplementedError('sorting by %r is not implemented in mongomock' % (direction,))
    pick = min if direction > 0 else max

    def key(doc):
        values = path_values(doc, field)
        if values == [_UNDEFINED]:
            return (0, filtering.BsonComparable(None))
        values = [None if v is _MISSING or v is _UNDEFINED else v for v in values]
        return (1, pick(filtering.BsonComparable(v) for v in values))
    return key


def sort_documents(docs, spec):
    """Stable multi-key sort; `spec` is a list of (field, 1 | -1)."""
    docs = list(docs)
    for field, direction in reversed(spec):
        if field == '$natural':
            if direction < 0:
                docs.reverse()
            continue
        if field.startswith('$'):
            raise NotImplementedError('Sorting by %s is not implemented in mongomock' % field)
        docs.sort(key=sort_key(field, direction), reverse=direction < 0)
    return docs


def get_dataset(self, spec, sort, fields, as_class):
    """Replacement for mongomock's Collection._get_dataset (used by find)."""
    dataset = self._iter_documents(spec)
    if sort:
        dataset = sort_documents(dataset, sort)
    for document in dataset:
        yield self._copy_only_fields(document, fields, as_class)


def sort_stage(in_collection, unused_database, options):
    """Replacement for mongomock's $sort stage handler."""
    return sort_documents(in_collection, list(options.items()))


MongomockCollection._get_dataset = get_dataset
mongomock_aggregate._PIPELINE_HANDLERS['$sort'] = sort_stage


def cursor_next(self):
    """Replacement for mongomock's Cursor.__next__, which copies the rest of
    the results (results[skip:]) for every document: reading n documents
    took O(n^2) (a count over 40,000 documents, seconds)."""
    if self._skip < 0:
        return _original_cursor_next(self)
    if self._limit and self._emitted >= abs(self._limit):
        raise StopIteration()
    results = self._compute_results()
    position = self._skip + self._emitted
    if position >= len(results):
        raise StopIteration()
    self._emitted += 1
    return results[position]


_original_cursor_next = MongomockCursor.__next__
MongomockCursor.__next__ = MongomockCursor.next = cursor_next


# --------------------------------------------------------------------------
# $in with a hash set
# --------------------------------------------------------------------------
#
# mongomock's $in (and $nin) re-checks every value of the list for regexes
# and then searches the list linearly, for every document: a 5,000-value $in
# over 5,000 candidates is 25 million comparisons. For lists of strings and
# ObjectIds, a set gives the same answers: no value of another type equals
# one of those, and missing fields match only when the list holds null.

_original_in_op = filtering._in_op
_SET_SAFE_TYPES = (str, ObjectId)
_last_in_set = (None, None)  # (the $in list, its frozenset or None); lists are never mutated.


def in_op(doc_val, search_val):
    global _last_in_set
    if type(search_val) is list and len(search_val) > 8:  # pylint: disable=unidiomatic-typecheck
        values, lookup = _last_in_set
        if values is not search_val:
            safe = all(type(v) in _SET_SAFE_TYPES for v in search_val)  # pylint: disable=unidiomatic-typecheck
            lookup = frozenset(search_val) if safe else None
            _last_in_set = (search_val, lookup)
        if lookup is not None:
            if isinstance(doc_val, (list, tuple)):
                return any(isinstance(v, _SET_SAFE_TYPES) and v in lookup for v in doc_val)
            return isinstance(doc_val, _SET_SAFE_TYPES) and doc_val in lookup
    return _original_in_op(doc_val, search_val)


filtering._in_op = in_op  # $nin calls it through the module.
filtering._filterer_inst._operator_map['$in'] = in_op  # pylint: disable=protected-access


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def is_set(value):
    """Whether an option carries a value that would change behaviour."""
    return value is not None and value is not False and value != {} and value != []


def check_fields(cmd, supported=(), ignored=()):
    """Fail loudly on command options this stand-in does not implement."""
    name = next(iter(cmd))
    for field, value in cmd.items():
        if field == name or field in GENERIC_FIELDS or field in supported or field in ignored:
            continue
        if not is_set(value):
            continue
        raise unsupported("option '%s' of command '%s' is not supported" % (field, name))


def check_statement_fields(kind, stmt, supported):
    for field, value in stmt.items():
        if field in supported or not is_set(value):
            continue
        raise unsupported("field '%s' in %s statements is not supported" % (field, kind))


def collection_name(cmd):
    name = next(iter(cmd))
    value = cmd[name]
    if not isinstance(value, str) or not value:
        raise CommandError(73, "collection name has invalid type %s" % type(value).__name__)
    return value


def get_collection(db_name, name):
    return ENGINE[db_name][name]


def collection_exists(db_name, name):
    return name in ENGINE[db_name].list_collection_names()


def as_int(value, field, default=0):
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CommandError(14, "'%s' must be a number" % field)
    return int(value)


def check_hint(db_name, coll_name, hint):
    """Hints only pick a plan, so one naming an existing index is honoured by
    ignoring it; one naming no index fails as on mongod."""
    if not is_set(hint):
        return
    indexes = list_index_docs(db_name, coll_name)
    if isinstance(hint, str):
        if any(ix['name'] == hint for ix in indexes):
            return
    elif isinstance(hint, Mapping):
        if '$natural' in hint or any(list(ix['key'].items()) == list(hint.items()) for ix in indexes):
            return
    raise CommandError(2, 'hint provided does not correspond to an existing index')


def sort_spec(sort):
    if not is_set(sort):
        return None
    if not isinstance(sort, Mapping):
        raise CommandError(14, 'sort must be an object')
    spec = []
    for field, direction in sort.items():
        if isinstance(direction, Mapping):
            raise unsupported('sorting by %r is not supported' % (direction,))
        if direction not in (1, -1):
            raise CommandError(2, '$sort key ordering must be 1 (for ascending) or -1 (for descending)')
        spec.append((field, int(direction)))
    return spec


def bson_sort_key(value):
    return filtering.resolve_sort_key('v', {'v': value})


# --------------------------------------------------------------------------
# Server-side cursors
# --------------------------------------------------------------------------

class ServerCursor(object):
    def __init__(self, cursor_id, ns, docs):
        self.id = cursor_id
        self.ns = ns
        self.docs = collections.deque(docs)
        self.last_used = time.monotonic()


CURSORS = {}


def take_batch(docs, limit):
    """Pop up to `limit` docs (None: no count limit) without exceeding the
    16 MiB reply size mongod keeps to (always at least one document)."""
    batch, size = [], 0
    while docs and (limit is None or len(batch) < limit):
        doc_size = len(bson.BSON.encode(docs[0]))
        if batch and size + doc_size > MAX_BSON_OBJECT_SIZE:
            break
        batch.append(docs.popleft())
        size += doc_size
    return batch


def expire_idle_cursors():
    now = time.monotonic()
    for cursor_id in [cid for cid, c in CURSORS.items() if now - c.last_used > CURSOR_IDLE_TIMEOUT_S]:
        del CURSORS[cursor_id]


def cursor_reply(ns, docs, batch_size=None, single_batch=False):
    """Build {cursor: {id, ns, firstBatch}}, keeping the rest server-side."""
    expire_idle_cursors()
    remaining = collections.deque(docs)
    first = take_batch(remaining, DEFAULT_FIRST_BATCH if batch_size is None else batch_size)
    cursor_id = 0
    if remaining and not single_batch:
        cursor_id = random.randint(1, 2 ** 62)
        CURSORS[cursor_id] = ServerCursor(cursor_id, ns, remaining)
    # Cursor ids must be BSON int64: the driver reads them as Long.
    return {'cursor': {'id': Int64(cursor_id), 'ns': ns, 'firstBatch': first}}


def parse_cursor_option(cmd):
    cursor = cmd.get('cursor')
    if cursor is None:
        return None
    if not isinstance(cursor, Mapping):
        raise CommandError(14, "'cursor' must be an object")
    for field in cursor:
        if field != 'batchSize':
            raise unsupported("cursor option '%s' is not supported" % field)
    if 'batchSize' in cursor:
        size = as_int(cursor['batchSize'], 'batchSize')
        if size < 0:
            raise CommandError(2, 'batchSize must be non-negative')
        return size
    return None


# --------------------------------------------------------------------------
# Handshake and server-level commands
# --------------------------------------------------------------------------

CONNECTION_IDS = weakref.WeakKeyDictionary()  # client socket -> connectionId
CONNECTION_IDS_LOCK = threading.Lock()  # Not ENGINE_LOCK: hello needs the id.
_connection_counter = itertools.count(1)


def cmd_hello(db_name, cmd, conn_id):
    name = next(iter(cmd))
    reply = {
        'maxBsonObjectSize': MAX_BSON_OBJECT_SIZE,
        'maxMessageSizeBytes': MAX_MESSAGE_SIZE_BYTES,
        'maxWriteBatchSize': MAX_WRITE_BATCH_SIZE,
        'localTime': datetime.datetime.utcnow(),
        'logicalSessionTimeoutMinutes': 30,
        'connectionId': conn_id,
        'minWireVersion': 0,
        'maxWireVersion': MAX_WIRE_VERSION,
        'readOnly': False,
    }
    # No topologyVersion: the driver then polls instead of long-polling
    # ("streaming" hello), which this request/response server cannot do.
    if name == 'hello':
        reply['isWritablePrimary'] = True
    else:
        reply['ismaster'] = True
        if cmd.get('helloOk'):
            reply['helloOk'] = True
    return reply


def cmd_ping(db_name, cmd, conn_id):
    return {}


def cmd_build_info(db_name, cmd, conn_id):
    return {
        'version': SERVER_VERSION,
        'versionArray': [int(p) for p in SERVER_VERSION.split('.')] + [0],
        'gitVersion': 'mongo-standin',
        'modules': [],
        'sysInfo': 'deprecated',
        'bits': 64,
        'debug': False,
        'maxBsonObjectSize': MAX_BSON_OBJECT_SIZE,
        'storageEngines': ['mongomock'],
        'javascriptEngine': 'none',
    }


def cmd_get_parameter(db_name, cmd, conn_id):
    known = {'featureCompatibilityVersion': {'version': SERVER_VERSION.rsplit('.', 1)[0]}}
    reply = {}
    for field in cmd:
        if field == 'getParameter' or field in GENERIC_FIELDS:
            continue
        if field not in known:
            raise unsupported("getParameter '%s' is not supported" % field)
        reply[field] = known[field]
    if cmd['getParameter'] in ('*', {'allParameters': True}):
        reply.update(known)
    return reply


def cmd_get_cmd_line_opts(db_name, cmd, conn_id):
    return {'argv': ['mongod', '--mongo-standin'], 'parsed': {}}


def cmd_end_sessions(db_name, cmd, conn_id):
    return {}  # Sessions carry no server-side state here.


def cmd_transaction(db_name, cmd, conn_id):
    raise CommandError(115, "mongo-standin: transactions are not supported (command '%s')"
                       % next(iter(cmd)))


def cmd_list_databases(db_name, cmd, conn_id):
    check_fields(cmd, supported=('nameOnly', 'filter'), ignored=('authorizedDatabases',))
    docs = [{'name': name, 'sizeOnDisk': 0, 'empty': False}
            for name in sorted(ENGINE.list_database_names())]
    if is_set(cmd.get('filter')):
        docs = [d for d in docs if filtering.filter_applies(cmd['filter'], d)]
    if cmd.get('nameOnly'):
        return {'databases': [{'name': d['name']} for d in docs]}
    return {'databases': docs, 'totalSize': 0, 'totalSizeMb': 0}


# --------------------------------------------------------------------------
# Collections and databases
# --------------------------------------------------------------------------

def cmd_create(db_name, cmd, conn_id):
    check_fields(cmd)  # capped, validator, timeseries, collation, ... are unsupported.
    name = collection_name(cmd)
    db = ENGINE[db_name]
    # Since MongoDB 7.0 (SERVER-60064), create on an existing collection with
    # the same options succeeds; options are always "none" here.
    if not collection_exists(db_name, name):
        db.create_collection(name)
    return {}


def cmd_drop(db_name, cmd, conn_id):
    check_fields(cmd)
    name = collection_name(cmd)
    if not collection_exists(db_name, name):
        return {}  # MongoDB 7.0 no longer reports NamespaceNotFound here.
    n_indexes = len(list_index_docs(db_name, name))
    ENGINE[db_name].drop_collection(name)
    return {'ns': '%s.%s' % (db_name, name), 'nIndexesWas': n_indexes}


def cmd_drop_database(db_name, cmd, conn_id):
    check_fields(cmd)
    ENGINE.drop_database(db_name)
    return {}


def cmd_list_collections(db_name, cmd, conn_id):
    check_fields(cmd, supported=('filter', 'nameOnly', 'cursor'),
                 ignored=('authorizedCollections',))
    batch_size = parse_cursor_option(cmd)
    name_only = bool(cmd.get('nameOnly'))
    docs = []
    for name in sorted(ENGINE[db_name].list_collection_names()):
        docs.append({
            'name': name,
            'type': 'collection',
            'options': {},
            'info': {'readOnly': False},
            'idIndex': {'v': 2, 'key': {'_id': 1}, 'name': '_id_'},
        })
    if is_set(cmd.get('filter')):
        docs = [d for d in docs if filtering.filter_applies(cmd['filter'], d)]
    if name_only:
        docs = [{'name': d['name'], 'type': d['type']} for d in docs]
    return cursor_reply('%s.$cmd.listCollections' % db_name, docs, batch_size)


def cmd_rename_collection(db_name, cmd, conn_id):
    check_fields(cmd, supported=('to', 'dropTarget'))
    source, target = cmd['renameCollection'], cmd.get('to')
    if db_name != 'admin':
        raise CommandError(13, 'renameCollection may only be run against the admin database.')
    if not isinstance(source, str) or not isinstance(target, str) or '.' not in source or '.' not in target:
        raise CommandError(73, 'Invalid namespace specified')
    source_db, source_coll = source.split('.', 1)
    target_db, target_coll = target.split('.', 1)
    if source_db != target_db:
        raise unsupported('renameCollection across databases is not supported')
    if not collection_exists(source_db, source_coll):
        raise CommandError(26, 'Source collection %s does not exist' % source)
    if collection_exists(target_db, target_coll) and not cmd.get('dropTarget'):
        raise CommandError(48, 'target namespace exists')
    ENGINE[source_db].rename_collection(source_coll, target_coll, dropTarget=bool(cmd.get('dropTarget')))
    return {}


# --------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------

def run_find(db_name, coll_name, cmd):
    check_hint(db_name, coll_name, cmd.get('hint'))
    query = query_arg(cmd.get('filter'))
    projection = cmd.get('projection')
    projection = dict(projection) if is_set(projection) else None
    skip = as_int(cmd.get('skip'), 'skip')
    limit = as_int(cmd.get('limit'), 'limit')
    if skip < 0:
        raise CommandError(2, 'skip value must be non-negative')
    single_batch = bool(cmd.get('singleBatch'))
    if limit < 0:  # Legacy form: a negative limit means "one batch".
        limit, single_batch = -limit, True
    coll = get_collection(db_name, coll_name)
    return list(coll.find(query, projection, skip=skip, limit=limit, sort=sort_spec(cmd.get('sort')))), \
        single_batch


def cmd_find(db_name, cmd, conn_id):
    check_fields(cmd, supported=('filter', 'projection', 'sort', 'skip', 'limit', 'batchSize',
                                 'singleBatch', 'hint'),
                 ignored=('allowDiskUse', 'noCursorTimeout', 'allowPartialResults', 'readOnce'))
    coll_name = collection_name(cmd)
    docs, single_batch = run_find(db_name, coll_name, cmd)
    batch_size = cmd.get('batchSize')
    batch_size = None if batch_size is None else as_int(batch_size, 'batchSize')
    if batch_size is not None and batch_size < 0:
        raise CommandError(2, 'batchSize must be non-negative')
    return cursor_reply('%s.%s' % (db_name, coll_name), docs, batch_size, single_batch)


def cmd_get_more(db_name, cmd, conn_id):
    check_fields(cmd, supported=('collection', 'batchSize'))
    cursor_id = cmd['getMore']
    ns = '%s.%s' % (db_name, cmd.get('collection'))
    cursor = CURSORS.get(int(cursor_id))
    if cursor is None or cursor.ns != ns:
        raise CommandError(43, 'cursor id %d not found' % cursor_id)
    batch_size = cmd.get('batchSize')
    batch = take_batch(cursor.docs, None if not batch_size else as_int(batch_size, 'batchSize'))
    cursor.last_used = time.monotonic()
    if not cursor.docs:
        del CURSORS[cursor.id]
        cursor_id = 0
    return {'cursor': {'id': Int64(cursor_id), 'ns': cursor.ns, 'nextBatch': batch}}


def cmd_kill_cursors(db_name, cmd, conn_id):
    check_fields(cmd, supported=('cursors',))
    killed, not_found = [], []
    for cursor_id in cmd.get('cursors') or []:
        if CURSORS.pop(int(cursor_id), None) is not None:
            killed.append(Int64(cursor_id))
        else:
            not_found.append(Int64(cursor_id))
    return {'cursorsKilled': killed, 'cursorsNotFound': not_found,
            'cursorsAlive': [], 'cursorsUnknown': []}


def cmd_count(db_name, cmd, conn_id):
    check_fields(cmd, supported=('query', 'limit', 'skip', 'hint'), ignored=('fields',))
    coll_name = collection_name(cmd)
    check_hint(db_name, coll_name, cmd.get('hint'))
    query = query_arg(cmd.get('query'))
    n = len(list(get_collection(db_name, coll_name).find(query)))
    n = max(n - as_int(cmd.get('skip'), 'skip'), 0)
    limit = abs(as_int(cmd.get('limit'), 'limit'))
    if limit:
        n = min(n, limit)
    return {'n': n}


def cmd_distinct(db_name, cmd, conn_id):
    check_fields(cmd, supported=('key', 'query', 'hint'))
    coll_name = collection_name(cmd)
    check_hint(db_name, coll_name, cmd.get('hint'))
    key = cmd.get('key')
    if not isinstance(key, str):
        raise CommandError(14, "'key' must be a string")
    values = get_collection(db_name, coll_name).distinct(key, query_arg(cmd.get('query')))
    # mongomock returns set order; mongod usually returns values in index
    # (BSON) order. Order is not guaranteed, so types mongomock cannot
    # compare (Decimal128) stay unsorted rather than failing the command.
    try:
        values = sorted(values, key=bson_sort_key)
    except NotImplementedError:
        pass
    return {'values': values}


def substitute_system_variables(value, now):
    """mongomock only knows $$ROOT, $$CURRENT and user variables; it treats
    any other $$NAME as missing, silently. Replace $$NOW by its value (fixed
    for the whole command, as on mongod) and refuse the other system
    variables."""
    if isinstance(value, str) and value.startswith('$$'):
        name = value[2:].split('.', 1)[0]
        if name == 'NOW' and '.' not in value:
            return now
        if name.isupper() and name not in ('ROOT', 'CURRENT'):
            raise unsupported('aggregation variable $$%s is not supported by mongomock' % name)
        return value
    if isinstance(value, Mapping):
        if '$literal' in value and len(value) == 1:
            return value
        return {k: substitute_system_variables(v, now) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_system_variables(v, now) for v in value]
    return value


def query_arg(query):
    """A filter argument: an object, with $$NOW resolved for $expr."""
    if query is None:
        return {}
    if not isinstance(query, Mapping):
        raise CommandError(14, 'filter must be an object')
    return substitute_system_variables(query, _utcnow_ms())


def rewrite_pipeline(pipeline):
    """Rewrite stages mongomock lacks into documented equivalents."""
    pipeline = substitute_system_variables(pipeline, _utcnow_ms())
    out = []
    for stage in pipeline:
        if not isinstance(stage, Mapping) or len(stage) != 1:
            raise CommandError(40323, 'A pipeline stage specification object must contain exactly one field.')
        (op, arg), = stage.items()
        if op == '$unset':  # {$unset: f | [f...]} == {$project: {f: 0, ...}}
            fields = [arg] if isinstance(arg, str) else list(arg)
            out.append({'$project': {f: 0 for f in fields}})
        elif op == '$replaceWith':  # == {$replaceRoot: {newRoot: expr}}
            out.append({'$replaceRoot': {'newRoot': arg}})
        elif op == '$sortByCount':  # == $group by expr with count, then sort by count desc
            out.append({'$group': {'_id': arg, 'count': {'$sum': 1}}})
            out.append({'$sort': {'count': -1}})
        elif op in ('$merge', '$changeStream', '$documents', '$search', '$searchMeta',
                    '$listSessions', '$currentOp', '$collStats', '$indexStats'):
            raise unsupported("aggregation stage '%s' is not supported" % op)
        else:
            out.append({op: arg})
    return out


def cmd_aggregate(db_name, cmd, conn_id):
    check_fields(cmd, supported=('pipeline', 'cursor', 'hint'),
                 ignored=('allowDiskUse', 'bypassDocumentValidation'))
    if cmd.get('explain'):
        raise unsupported('explain is not supported')
    if not isinstance(cmd['aggregate'], str):
        raise unsupported('collection-less aggregate (aggregate: 1) is not supported')
    coll_name = collection_name(cmd)
    if 'cursor' not in cmd:
        raise CommandError(9, "The 'cursor' option is required, except for aggregate with the explain argument")
    batch_size = parse_cursor_option(cmd)
    check_hint(db_name, coll_name, cmd.get('hint'))
    pipeline = cmd.get('pipeline')
    if not isinstance(pipeline, list):
        raise CommandError(14, "'pipeline' option must be specified as an array")
    coll = get_collection(db_name, coll_name)
    stages = rewrite_pipeline(pipeline)
    if stages and '$match' in stages[0] and isinstance(stages[0]['$match'], Mapping):
        # mongomock copies the whole collection into the pipeline; a leading
        # $match (the same filter language) can pick the documents instead.
        docs = list(mongomock_aggregate.process_pipeline(
            list(coll.find(stages[0]['$match'])), coll.database, stages[1:], None))
    else:
        docs = list(coll.aggregate(stages))
    if pipeline and '$out' in pipeline[-1]:
        docs = []  # mongod returns an empty cursor after $out; mongomock passes the documents on.
    return cursor_reply('%s.%s' % (db_name, coll_name), docs, batch_size)


# --------------------------------------------------------------------------
# Writes
# --------------------------------------------------------------------------

def write_reply(n, write_errors, **extra):
    reply = {'n': n}
    reply.update(extra)
    if write_errors:
        reply['writeErrors'] = write_errors
    return reply


def ensure_collection(db_name, coll_name):
    """Writes create the collection implicitly, as on mongod."""
    if not collection_exists(db_name, coll_name):
        ENGINE[db_name].create_collection(coll_name)


def cmd_insert(db_name, cmd, conn_id):
    check_fields(cmd, supported=('documents', 'ordered'), ignored=('bypassDocumentValidation',))
    coll_name = collection_name(cmd)
    documents = cmd.get('documents') or []
    ordered = cmd.get('ordered', True)
    coll = get_collection(db_name, coll_name)
    ensure_collection(db_name, coll_name)
    n, errors = 0, []
    for index, doc in enumerate(documents):
        try:
            coll.insert_one(doc)
            n += 1
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(dict(index=index, **error_fields(exc)))
            if ordered:
                break
    return write_reply(n, errors)


# Update operators mongod knows; mongomock implements all but $mul and $bit.
UPDATE_OPERATORS = frozenset([
    '$set', '$unset', '$inc', '$max', '$min', '$pop', '$rename', '$setOnInsert',
    '$currentDate', '$addToSet', '$pull', '$pullAll', '$push',
])
UNSUPPORTED_UPDATE_OPERATORS = frozenset(['$mul', '$bit'])


def classify_update(u):
    """Return 'replacement' or 'operators'; fail on what we cannot run."""
    if isinstance(u, list):
        raise unsupported('pipeline-style updates (an array of stages) are not supported by mongomock')
    if not isinstance(u, Mapping):
        raise CommandError(14, 'Update argument must be either an object or an array')
    keys = list(u)
    if not keys or not keys[0].startswith('$'):
        return 'replacement'
    for key in keys:
        if key in UNSUPPORTED_UPDATE_OPERATORS:
            raise unsupported("update operator '%s' is not supported by mongomock" % key)
        if key not in UPDATE_OPERATORS:
            raise CommandError(9, 'Unknown modifier: %s. Expected a valid update modifier or '
                                  'pipeline-style update specified as an array' % key)
        if not isinstance(u[key], Mapping):
            raise CommandError(9, 'Modifiers operate on fields but we found type %s instead.'
                               % type(u[key]).__name__)
    return 'operators'


def run_update(coll, q, u, upsert, multi):
    """One update statement; returns mongomock's raw result."""
    if classify_update(u) == 'replacement':
        if multi:
            raise CommandError(9, 'multi update is not supported for replacement-style update')
        if any(key.startswith('$') for key in u):
            raise CommandError(52, "The dollar ($) prefixed field '%s' is not allowed in the context of an update's "
                                   'replacement document.' % next(k for k in u if k.startswith('$')))
        return coll.replace_one(q, u, upsert=upsert).raw_result
    if multi:
        return coll.update_many(q, u, upsert=upsert).raw_result
    return coll.update_one(q, u, upsert=upsert).raw_result


def cmd_update(db_name, cmd, conn_id):
    check_fields(cmd, supported=('updates', 'ordered'), ignored=('bypassDocumentValidation',))
    coll_name = collection_name(cmd)
    ordered = cmd.get('ordered', True)
    coll = get_collection(db_name, coll_name)
    n, n_modified, upserted, errors = 0, 0, [], []
    for index, stmt in enumerate(cmd.get('updates') or []):
        try:
            # arrayFilters and collation are not implemented by mongomock; c/let neither.
            check_statement_fields('update', stmt, ('q', 'u', 'upsert', 'multi', 'hint'))
            check_hint(db_name, coll_name, stmt.get('hint'))
            q = query_arg(stmt.get('q'))
            upsert = bool(stmt.get('upsert'))
            if upsert:
                ensure_collection(db_name, coll_name)
            raw = run_update(coll, q, stmt.get('u'), upsert, bool(stmt.get('multi')))
            n += raw['n']
            n_modified += raw['nModified']
            if raw.get('upserted') is not None:
                upserted.append({'index': index, '_id': raw['upserted']})
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(dict(index=index, **error_fields(exc)))
            if ordered:
                break
    extra = {'nModified': n_modified}
    if upserted:
        extra['upserted'] = upserted
    return write_reply(n, errors, **extra)


def cmd_delete(db_name, cmd, conn_id):
    check_fields(cmd, supported=('deletes', 'ordered'))
    coll_name = collection_name(cmd)
    ordered = cmd.get('ordered', True)
    coll = get_collection(db_name, coll_name)
    n, errors = 0, []
    for index, stmt in enumerate(cmd.get('deletes') or []):
        try:
            check_statement_fields('delete', stmt, ('q', 'limit', 'hint'))
            check_hint(db_name, coll_name, stmt.get('hint'))
            limit = as_int(stmt.get('limit'), 'limit')
            if limit not in (0, 1):
                raise CommandError(9, 'The limit field in delete objects must be 0 or 1. Got %d' % limit)
            q = query_arg(stmt.get('q'))
            result = coll.delete_one(q) if limit == 1 else coll.delete_many(q)
            n += result.deleted_count
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(dict(index=index, **error_fields(exc)))
            if ordered:
                break
    return write_reply(n, errors)


def cmd_find_and_modify(db_name, cmd, conn_id):
    # mongomock's find_one_and_* helpers lose the positional ($) context and
    # report no lastErrorObject, so the command is assembled from find/update.
    check_fields(cmd, supported=('query', 'sort', 'remove', 'update', 'new', 'fields', 'upsert', 'hint'),
                 ignored=('bypassDocumentValidation',))
    coll_name = collection_name(cmd)
    check_hint(db_name, coll_name, cmd.get('hint'))
    coll = get_collection(db_name, coll_name)
    query = query_arg(cmd.get('query'))
    sort = sort_spec(cmd.get('sort'))
    fields = cmd.get('fields')
    fields = dict(fields) if is_set(fields) else None
    remove, update = bool(cmd.get('remove')), cmd.get('update')
    return_new, upsert = bool(cmd.get('new')), bool(cmd.get('upsert'))
    if remove and (update is not None or return_new or upsert):
        raise CommandError(9, 'Cannot specify both an update and remove=true' if update is not None
                           else "remove and returnNew/upsert can't co-exist")
    if not remove and update is None:
        raise CommandError(9, 'Either an update or remove=true must be specified')

    old = coll.find_one(query, sort=sort)
    if remove:
        if old is None:
            return {'lastErrorObject': {'n': 0}, 'value': None}
        value = coll.find_one({'_id': old['_id']}, fields)
        coll.delete_one({'_id': old['_id']})
        return {'lastErrorObject': {'n': 1}, 'value': value}

    if old is None:
        if not upsert:
            return {'lastErrorObject': {'n': 0, 'updatedExisting': False}, 'value': None}
        ensure_collection(db_name, coll_name)
        raw = run_update(coll, query, update, True, False)
        new_id = raw['upserted']
        value = coll.find_one({'_id': new_id}, fields) if return_new else None
        return {'lastErrorObject': {'n': 1, 'updatedExisting': False, 'upserted': new_id},
                'value': value}

    before = coll.find_one({'_id': old['_id']}, fields)
    # Pin the statement to the chosen document while keeping the original
    # query keys, which mongomock needs to resolve positional ($) updates.
    if '_id' in query and not isinstance(query['_id'], Mapping):
        spec = query
    else:
        spec = dict(query)
        spec['_id'] = old['_id']
    run_update(coll, spec, update, False, False)
    value = coll.find_one({'_id': old['_id']}, fields) if return_new else before
    return {'lastErrorObject': {'n': 1, 'updatedExisting': True}, 'value': value}


# --------------------------------------------------------------------------
# Indexes
# --------------------------------------------------------------------------

ID_INDEX = {'v': 2, 'key': {'_id': 1}, 'name': '_id_'}
INDEX_OPTIONS = ('unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds')


def list_index_docs(db_name, coll_name):
    if not collection_exists(db_name, coll_name):
        return []
    docs = [dict(ID_INDEX)]
    for name, info in get_collection(db_name, coll_name)._store.indexes.items():
        doc = {'v': 2, 'key': {field: direction for field, direction in info['key']}, 'name': name}
        for option in INDEX_OPTIONS:
            if option in info:
                doc[option] = info[option]
        docs.append(doc)
    return docs


def normalize_index_spec(spec):
    if not isinstance(spec, Mapping):
        raise CommandError(14, 'index specification must be an object')
    for field, value in spec.items():
        if field in ('key', 'name', 'v', 'background', 'ns') + INDEX_OPTIONS:
            continue
        if is_set(value):
            raise unsupported("index option '%s' is not supported" % field)
    key = spec.get('key')
    if not isinstance(key, Mapping) or not key:
        raise CommandError(67, "The 'key' field must be a non-empty object")
    pairs = []
    for field, direction in key.items():
        if isinstance(direction, bool) or not isinstance(direction, (int, float)) or direction == 0:
            raise unsupported("index type %r on '%s' is not supported (only ascending/descending keys)"
                              % (direction, field))
        pairs.append((field, 1 if direction > 0 else -1))
    name = spec.get('name')
    if not isinstance(name, str) or not name:
        raise CommandError(9, "The 'name' field is required for an index specification")
    info = {'key': pairs}
    if spec.get('unique'):
        info['unique'] = True
    if spec.get('sparse'):
        info['sparse'] = True
    if spec.get('partialFilterExpression') is not None:
        info['partialFilterExpression'] = spec['partialFilterExpression']
    if spec.get('expireAfterSeconds') is not None:
        # TTL is accepted and recorded but never enforced: mongomock would
        # delete expired documents on every read, which real mongod does only
        # every 60 s, so tests must not depend on TTL timing either way.
        info['expireAfterSeconds'] = spec['expireAfterSeconds']
    return name, info


def options_of(info):
    return {k: info[k] for k in INDEX_OPTIONS if k in info}


def check_existing_unique(coll, name, info):
    if not info.get('unique'):
        return
    seen = {}
    for doc in coll._store.documents:
        keys = index_keys(doc, info) or {}
        doc_id = canonical(doc.get('_id'))
        for canon, readable in keys.items():
            if seen.get(canon, doc_id) != doc_id:
                raise duplicate_key_error(coll, name, info, readable, prefix='Index build failed: ')
            seen[canon] = doc_id


def cmd_create_indexes(db_name, cmd, conn_id):
    check_fields(cmd, supported=('indexes',), ignored=('commitQuorum',))
    coll_name = collection_name(cmd)
    specs = cmd.get('indexes')
    if not isinstance(specs, list) or not specs:
        raise CommandError(2, 'Must specify at least one index to create')
    existed = collection_exists(db_name, coll_name)
    before = len(list_index_docs(db_name, coll_name)) if existed else 1
    ensure_collection(db_name, coll_name)
    coll = get_collection(db_name, coll_name)
    indexes = coll._store.indexes
    to_create = []
    for spec in specs:
        name, info = normalize_index_spec(spec)
        if name == '_id_' or info['key'] == [('_id', 1)] and not options_of(info):
            continue  # The _id index always exists.
        existing = indexes.get(name)
        if existing is not None:
            if existing['key'] == info['key'] and options_of(existing) == options_of(info):
                continue
            if existing['key'] != info['key']:
                raise CommandError(86, 'An existing index has the same name as the requested index. '
                                       'Requested index: %s, existing index: %s' % (spec, existing))
            raise CommandError(85, 'An equivalent index already exists with the same name but '
                                   'different options. Requested index: %s, existing index: %s'
                               % (spec, existing))
        for other_name, other in indexes.items():
            if other['key'] == info['key'] and \
                    other.get('partialFilterExpression') == info.get('partialFilterExpression'):
                raise CommandError(85, 'Index already exists with a different name: %s' % other_name)
        check_existing_unique(coll, name, info)
        to_create.append((name, info))
    # Written straight into mongomock's store: its create_index would run its
    # own (looser) uniqueness check and register TTL indexes for expiry.
    for name, info in to_create:
        indexes[name] = info
    reply = {'numIndexesBefore': before, 'numIndexesAfter': len(list_index_docs(db_name, coll_name)),
             'createdCollectionAutomatically': not existed}
    if not to_create:
        reply['note'] = 'all indexes already exist'
    return reply


def cmd_list_indexes(db_name, cmd, conn_id):
    check_fields(cmd, supported=('cursor',))
    coll_name = collection_name(cmd)
    batch_size = parse_cursor_option(cmd)
    if not collection_exists(db_name, coll_name):
        raise CommandError(26, 'ns does not exist: %s.%s' % (db_name, coll_name))
    return cursor_reply('%s.%s' % (db_name, coll_name), list_index_docs(db_name, coll_name), batch_size)


def cmd_drop_indexes(db_name, cmd, conn_id):
    check_fields(cmd, supported=('index',))
    coll_name = collection_name(cmd)
    if not collection_exists(db_name, coll_name):
        raise CommandError(26, 'ns not found %s.%s' % (db_name, coll_name))
    indexes = get_collection(db_name, coll_name)._store.indexes
    was = len(indexes) + 1
    target = cmd.get('index')
    if target == '*':
        indexes.clear()
        return {'nIndexesWas': was, 'msg': 'non-_id indexes dropped for collection'}
    if isinstance(target, Mapping):
        pairs = [(f, 1 if d > 0 else -1) for f, d in target.items()]
        if pairs == [('_id', 1)]:
            raise CommandError(72, 'cannot drop _id index')
        names = [n for n, info in indexes.items() if info['key'] == pairs]
        if not names:
            raise CommandError(27, "can't find index with key: %s" % format_value(dict(target)))
    elif isinstance(target, str):
        names = [target]
    elif isinstance(target, list):
        names = list(target)
    else:
        raise CommandError(14, "'index' must be a string, an object or an array of strings")
    for name in names:
        if name == '_id_':
            raise CommandError(72, 'cannot drop _id index')
        if name not in indexes:
            raise CommandError(27, 'index not found with name [%s]' % name)
    for name in names:
        del indexes[name]
    return {'nIndexesWas': was}


# --------------------------------------------------------------------------
# Dispatch
# --------------------------------------------------------------------------

COMMANDS = {
    'hello': cmd_hello,
    'isMaster': cmd_hello,
    'ismaster': cmd_hello,
    'ping': cmd_ping,
    'buildInfo': cmd_build_info,
    'buildinfo': cmd_build_info,
    'getParameter': cmd_get_parameter,
    'getCmdLineOpts': cmd_get_cmd_line_opts,
    'endSessions': cmd_end_sessions,
    'abortTransaction': cmd_transaction,
    'commitTransaction': cmd_transaction,
    'listDatabases': cmd_list_databases,
    'create': cmd_create,
    'drop': cmd_drop,
    'dropDatabase': cmd_drop_database,
    'listCollections': cmd_list_collections,
    'renameCollection': cmd_rename_collection,
    'find': cmd_find,
    'getMore': cmd_get_more,
    'killCursors': cmd_kill_cursors,
    'count': cmd_count,
    'distinct': cmd_distinct,
    'aggregate': cmd_aggregate,
    'insert': cmd_insert,
    'update': cmd_update,
    'delete': cmd_delete,
    'findAndModify': cmd_find_and_modify,
    'findandmodify': cmd_find_and_modify,
    'createIndexes': cmd_create_indexes,
    'listIndexes': cmd_list_indexes,
    'dropIndexes': cmd_drop_indexes,
    'deleteIndexes': cmd_drop_indexes,
}


# Commands that never touch the engine run without ENGINE_LOCK, so the
# driver's monitoring hello (and ping) is answered while a long write holds it;
# otherwise the driver gives up on the server ("server monitor timeout") and
# fails the write in progress.
LOCK_FREE_COMMANDS = frozenset([
    'hello', 'isMaster', 'ismaster', 'ping', 'buildInfo', 'buildinfo', 'getParameter',
    'getCmdLineOpts', 'endSessions',
])


def run_command(db_name, cmd, conn_id):
    """Run one command document and return the reply document."""
    if not cmd:
        return CommandError(59, 'mongo-standin: empty command').to_reply()
    name = next(iter(cmd))
    started = time.monotonic()
    try:
        handler = COMMANDS.get(name)
        if handler is None:
            raise CommandError(59, "mongo-standin: unsupported command '%s'" % name)
        if cmd.get('startTransaction') or cmd.get('autocommit') is not None:
            raise CommandError(115, 'mongo-standin: transactions are not supported')
        if name in LOCK_FREE_COMMANDS:
            reply = handler(db_name, cmd, conn_id)
        else:
            with ENGINE_LOCK:
                reply = handler(db_name, cmd, conn_id)
        reply['ok'] = 1.0
    except Exception as exc:  # pylint: disable=broad-except
        try:
            fields = error_fields(exc)
        except Exception:  # pylint: disable=broad-except
            log('internal error in %r:\n%s' % (name, traceback.format_exc()))
            fields = {'code': 1, 'errmsg': 'mongo-standin: internal error in %s: %s: %s'
                                           % (name, type(exc).__name__, exc)}
        reply = {'ok': 0.0, 'codeName': CODE_NAMES.get(fields['code'], 'UnknownError')}
        reply.update(fields)
        if fields['code'] in (1, 59, 115) and not VERBOSE:
            log('%s.%s failed: %s' % (db_name, name, fields['errmsg']))
    if VERBOSE:
        if not reply.get('ok'):
            summary = 'error %s: %s' % (reply.get('code'), reply.get('errmsg'))
        elif reply.get('writeErrors'):
            first = reply['writeErrors'][0]
            summary = 'ok, %d write error(s), first at index %d: %s' % (
                len(reply['writeErrors']), first['index'], first['errmsg'])
        else:
            summary = 'ok'
        target = cmd.get(name)
        log('[conn%s] %s.%s %s -> %s (%.1f ms)' % (
            conn_id, db_name, name, target if isinstance(target, str) else '', summary,
            (time.monotonic() - started) * 1000))
    return reply


def connection_id(request):
    client = request._client  # mockupdb's socket for this connection (no public accessor)
    with CONNECTION_IDS_LOCK:
        if client not in CONNECTION_IDS:
            CONNECTION_IDS[client] = next(_connection_counter)
        return CONNECTION_IDS[client]


def handle_request(request):
    """mockupdb catch-all autoresponder; must return True (handled).

    mockupdb calls it from the connection's thread while holding its
    server-wide lock (it releases that lock only while waiting for the next
    request), which would serialise all connections: a hello on the driver's
    monitoring connection would wait for any long command on another one.
    Commands are serialised by ENGINE_LOCK instead, so release it meanwhile.
    """
    with request._server._unlock():  # pylint: disable=protected-access
        return _handle_request(request)


def _handle_request(request):
    try:
        if isinstance(request, mockupdb.OpMsg):
            cmd, db_name = request.doc, request.doc.get('$db', 'admin')
        elif isinstance(request, mockupdb.Command):
            cmd, db_name = request.doc, request.namespace
            if '$query' in cmd:  # Legacy OP_QUERY wraps commands with read preferences.
                cmd = cmd['$query']
        else:
            # Legacy opcodes (OP_QUERY on a collection, OP_INSERT, ...) are
            # long gone from drivers; refuse them and close the connection.
            log('unsupported legacy opcode %s; closing connection' % type(request).__name__)
            request.hangup()
            return True
        reply = run_command(db_name, cmd, connection_id(request))
        if isinstance(request, mockupdb.OpMsg) and request.flags & mockupdb.OP_MSG_FLAGS['moreToCome']:
            return True  # The client expects no reply at all (e.g. endSessions, w:0 writes).
        try:
            request.replies(reply)
        except bson.errors.InvalidDocument as exc:
            # A value the engine produced that BSON cannot carry: answer with
            # an error rather than leaving the client waiting forever.
            log('cannot encode reply to %r: %s' % (next(iter(cmd), None), exc))
            request.replies({'ok': 0.0, 'code': 1, 'codeName': 'InternalError',
                             'errmsg': 'mongo-standin: cannot encode reply: %s' % exc})
    except OSError:
        pass  # The client hung up while we replied.
    return True


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def main():
    global VERBOSE
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--port', type=int, default=0, help='TCP port on 127.0.0.1 (0: any free port)')
    parser.add_argument('--verbose', action='store_true', help='log one line per command to stderr')
    parser.add_argument('--exit-with-parent', action='store_true',
                        help='exit when stdin reaches EOF (the parent process went away)')
    args = parser.parse_args()
    VERBOSE = args.verbose

    # Exit straight from the signal handler. Setting a threading.Event there
    # can deadlock (the handler may interrupt the main thread while it holds
    # the Event's non-reentrant lock), and a normal exit would wait for
    # mockupdb's connection threads and its atexit hook, which joins them for
    # up to 10 s each. No state needs saving.
    signal.signal(signal.SIGTERM, lambda signum, frame: exit_now('SIGTERM'))
    signal.signal(signal.SIGINT, lambda signum, frame: exit_now('SIGINT'))

    # mockupdb binds 'localhost' with AF_INET, i.e. 127.0.0.1. Its own verbose
    # mode prints to stdout, which is reserved for the LISTENING line.
    server = mockupdb.MockupDB(port=args.port, verbose=False, request_timeout=int(1e6))
    server.autoresponds(handle_request)
    port = server.run()
    sys.stdout.write('LISTENING %d\n' % port)
    sys.stdout.flush()
    if VERBOSE:
        log('listening on 127.0.0.1:%d (MongoDB %s, wire version %d)' % (port, SERVER_VERSION, MAX_WIRE_VERSION))

    if args.exit_with_parent:
        def watch_stdin():
            while sys.stdin.buffer.read(4096):
                pass
            exit_now('stdin closed')
        threading.Thread(target=watch_stdin, daemon=True).start()

    while True:
        signal.pause()  # Signal handlers run in the main thread, between pauses.


def exit_now(reason):
    if VERBOSE:
        # os.write takes no Python-level lock, unlike sys.stderr.write.
        os.write(2, ('mongo-standin: %s, exiting\n' % reason).encode())
    os._exit(0)


if __name__ == '__main__':
    main()
