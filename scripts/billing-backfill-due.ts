/**
 * Once after the upgrade to the due-item billing run, against the deployed table:
 *   TABLE_NAME=<table> npx tsx scripts/billing-backfill-due.ts
 * Gives every billing account written before it its next due day (shared/app/billing/backfill-due.ts).
 */
import { composeFromEnv } from '../shared/adapters/compose';
import { backfillDueItems } from '../shared/app/billing/backfill-due';

const deps = await composeFromEnv(process.env);
console.log(JSON.stringify(await backfillDueItems(deps)));
