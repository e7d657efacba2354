import { ApprovalSchema } from '../approvals/approval.entity.ts';
import { AuditEventSchema } from '../audit/audit-event.entity.ts';
import { OneTimeTokenSchema } from '../auth/one-time-token.entity.ts';
import { RefreshTokenSchema, SessionSchema } from '../auth/session.entity.ts';
import { MerchantSchema } from '../merchants/merchant.entity.ts';
import { ResellerSchema } from '../resellers/reseller.entity.ts';
import { RoleSchema } from '../roles/role.entity.ts';
import { TenantSchema } from '../tenants/tenant.entity.ts';
import { UserSchema } from '../users/user.entity.ts';

export const entities = [
  TenantSchema,
  ResellerSchema,
  MerchantSchema,
  RoleSchema,
  UserSchema,
  SessionSchema,
  RefreshTokenSchema,
  OneTimeTokenSchema,
  AuditEventSchema,
  ApprovalSchema,
];
