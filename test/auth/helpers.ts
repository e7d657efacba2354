// Moved to test/support/auth.ts. This re-export stays only while test/faults/
// still imports the old path; when it imports test/support/auth.ts, delete
// this file.
export * from '../support/auth.ts';
