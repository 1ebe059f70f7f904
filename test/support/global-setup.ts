/**
 * Jest global setup: finds a MongoDB and a Redis for the whole run and hands their addresses to the
 * test workers through the environment (workers are forked after this runs, so they inherit it).
 *
 * MongoDB, in order: MONGODB_URI; mongodb-memory-server (needs a mongod it can download or find);
 * the wire-protocol stand-in (Debian's python3-mockupdb + python3-mongomock). TEST_MONGO=uri |
 * memory-server | standin forces a choice. Redis: REDIS_URL; 127.0.0.1:6379 if it answers; else a
 * redis-server from PATH on a free port.
 */
import { startTestMongo, startTestRedis } from "./services";

export default async function globalSetup(): Promise<void> {
  const mongo = await startTestMongo();
  const redis = await startTestRedis();
  process.env.TEST_MONGODB_URI = mongo.uri;
  process.env.TEST_REDIS_URL = redis.url;
  console.log(`\n[test] MongoDB: ${mongo.description}; Redis: ${redis.description}`);
  (globalThis as Record<string, unknown>).__testServices = [mongo, redis];
}
