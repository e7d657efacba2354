// The compiled bundle, loaded through @open-policy-agent/opa-wasm as both
// services load it, decides like the Rego source says.
import { describe, expect, it, beforeAll } from 'vitest';
import { PolicyEngine } from '../../core/policy/engine.ts';
import type { DecisionInput } from '../../core/policy/types.ts';

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await PolicyEngine.load('build/policy');
});

const input = (acl: Record<string, 'NA' | 'R' | 'RW' | 'CHECKER'>, action: 'read' | 'write'): DecisionInput => ({
  principal: {
    user_id: 'u1', tenant_id: 'acme', type: 'TENANT', reseller_id: '', merchant_id: '', status: 'ACTIVE',
    session_active: true, role: { id: 'r', enabled: true, acl }, merchants_access: [], merchant_resellers: {},
    product_ids: [], gateway_ref_ids: [],
  },
  context: { type: 'TENANT', id: 'acme' },
  request: {
    module: 'orders', action, merchant: { id: 'm1', tenant_id: 'acme', reseller_id: '' }, merchant_id: 'm1',
    product_id: '', gateway_ref_id: '', product_required: false, gateway_ref_required: false, maker_id: '',
  },
});

describe('compiled policy bundle', () => {
  it('has a revision from the build manifest', () => {
    expect(engine.revision).toMatch(/^[0-9a-f]{16}$/);
  });

  it('allows a read with R and names the merchant', () => {
    expect(engine.decide(input({ orders: 'R' }, 'read'))).toMatchObject({ allow: true, reasons: [], merchant_id: 'm1' });
  });

  it('denies a write with R, with the reason code', () => {
    expect(engine.decide(input({ orders: 'R' }, 'write'))).toMatchObject({ allow: false, reasons: ['INSUFFICIENT_PERMISSION'] });
  });

  it('denies a merchant of another tenant', () => {
    const i = input({ orders: 'RW' }, 'read');
    i.request.merchant = { id: 'm1', tenant_id: 'other', reseller_id: '' };
    expect(engine.decide(i).reasons).toEqual(['MERCHANT_ACCESS_DENIED']);
  });

  it('reports separation-of-duties pairs from the policy data', () => {
    expect(engine.roleCheck({ acl: { refunds: 'RW', refund_approvals: 'CHECKER' }, actor_acl: null }).sod_violations).toEqual([
      'refund-maker-checker',
    ]);
  });

  it('refuses a folder that is not a bundle', async () => {
    await expect(PolicyEngine.load('test')).rejects.toThrow(/cannot read policy bundle/);
  });
});
