// Moved to test/support/worlds/gateway.ts. This re-export stays only while
// test/faults/ and test/policy-distribution/ still import the old path; when
// they import test/support/worlds/gateway.ts, delete this file.
export * from '../support/worlds/gateway.ts';
