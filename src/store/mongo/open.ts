import { MongoBackend } from "@agendajs/mongo-backend";
import { MongoClient } from "mongodb";
import { type Database, DEDUPE_KEY } from "../database.js";
import { MongoStore } from "./index.js";
import { createQueueJobIndexes, mongoQueueJobs } from "./queue-jobs.js";

/**
 * MongoDB as the store and the queue's backend. Imported only when MONGODB_URL is set (open.ts),
 * so a server on PostgreSQL or the embedded database never loads the driver.
 */
export async function openMongo(url: string): Promise<Database> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  const db = client.db();
  const store = new MongoStore(client, db);
  await store.migrate();
  await db.collection("agenda_jobs").createIndex(
    { name: 1, [`data.${DEDUPE_KEY}`]: 1 },
    { name: "dedupe", unique: true, partialFilterExpression: { [`data.${DEDUPE_KEY}`]: { $exists: true } } },
  );
  await createQueueJobIndexes(db);
  return {
    kind: "mongodb",
    store,
    queueBackend: () => new MongoBackend({ mongo: db, collection: "agenda_jobs" }),
    queueJobs: mongoQueueJobs(db),
    defaultPollMs: 200,
    close: () => store.close(),
  };
}
