import { createProductionDb, createSchema, admin } from '../test/support/data-skew.js';
const n = Number(process.argv[2] ?? 5000);
const t = performance.now();
await createProductionDb('perfcell_i18_big', n);
console.log('seeded', n, Math.round(performance.now() - t), 'ms');
await admin('DROP DATABASE IF EXISTS perfcell_i18_big_dst WITH (FORCE)');
await admin('CREATE DATABASE perfcell_i18_big_dst');
await createSchema('perfcell_i18_big_dst');
