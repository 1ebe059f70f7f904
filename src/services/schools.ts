/**
 * Schools, their classes by name, and their exchange tokens. A token is 32 random bytes (base64url), shown once to whoever
 * creates or rotates it; only its sha256 is stored. Authentication looks the school up by that hash
 * and then compares the hashes in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { Types } from "mongoose";
import { DEFAULT_TIMEZONE, School, SchoolClass, type SchoolDocument } from "../db/models";
import { classNameKey } from "../domain/class-name";

export interface NewSchool {
  name: string;
  address?: string;
  timezone?: string;
}

export interface IssuedToken {
  schoolId: string;
  /** The exchange token in clear: the only moment it exists outside the journal. */
  token: string;
}

export class SchoolNotFoundError extends Error {
  constructor(schoolId: string) {
    super(`School ${schoolId} not found`);
  }
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashToken(token) };
}

export async function createSchool(input: NewSchool): Promise<IssuedToken> {
  const { token, hash } = newToken();
  const school = await School.create({
    name: input.name,
    address: input.address,
    timezone: input.timezone ?? DEFAULT_TIMEZONE,
    exchangeTokenHash: hash,
    exchangeTokenIssuedAt: new Date(),
  });
  return { schoolId: school._id.toString(), token };
}

/** Issues a new token; the old one stops working at once. */
export async function rotateToken(schoolId: string): Promise<IssuedToken> {
  if (!Types.ObjectId.isValid(schoolId)) throw new SchoolNotFoundError(schoolId);
  const { token, hash } = newToken();
  const updated = await School.updateOne(
    { _id: new Types.ObjectId(schoolId) },
    { $set: { exchangeTokenHash: hash, exchangeTokenIssuedAt: new Date() } },
  );
  if (updated.matchedCount === 0) throw new SchoolNotFoundError(schoolId);
  return { schoolId, token };
}

/** The school whose exchange token this is, or null (for a missing, malformed or unknown token). */
export async function authenticateToken(token: string | undefined): Promise<SchoolDocument | null> {
  if (!token || token.length > 512) return null;
  const hash = hashToken(token);
  const school = await School.findOne({ exchangeTokenHash: hash });
  if (!school?.exchangeTokenHash) return null;
  const stored = Buffer.from(school.exchangeTokenHash, "hex");
  const given = Buffer.from(hash, "hex");
  return stored.length === given.length && timingSafeEqual(stored, given) ? school : null;
}

export async function findSchool(schoolId: string): Promise<SchoolDocument> {
  const school = Types.ObjectId.isValid(schoolId) ? await School.findById(schoolId) : null;
  if (!school) throw new SchoolNotFoundError(schoolId);
  return school;
}

/** The school's class as a person typed its name ("7 б", "7B"), or null. */
export async function findClassByName(schoolId: Types.ObjectId, name: string) {
  const wanted = classNameKey(name);
  const classes = await SchoolClass.find({ schoolId }).lean();
  return classes.find((c) => classNameKey(c.name) === wanted) ?? null;
}
