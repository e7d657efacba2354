import { Migration } from '@mikro-orm/migrations';

/**
 * TOTP replay protection (RFC 6238 §5.2): the last accepted time step per
 * user. A code is accepted only if its step is greater, checked and written in
 * one conditional UPDATE, so two concurrent submissions of one code cannot
 * both succeed.
 */
export class Migration20261122100000_totp_last_step extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table users add column totp_last_step bigint');
  }
}
