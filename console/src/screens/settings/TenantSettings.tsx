// Tenant security (2FA required, password policy, lockout) via GET/PATCH
// /v1/tenants/current, and the maker-checker settings of the tenant.
import { useEffect, useState } from 'react';
import { Alert, Button, Checkbox, NumberInput, Stack, Switch, Text } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { queryClient } from '../../api/query-client';
import { ErrorAlert } from '../../ui/ErrorAlert';

interface PasswordPolicy {
  minLength?: number;
  maxLength?: number;
  requireUpper?: boolean;
  requireLower?: boolean;
  requireDigit?: boolean;
  requireSymbol?: boolean;
  historySize?: number;
  expiryDays?: number | null;
}
interface Security {
  mfaRequired?: boolean;
  maxLoginAttempts?: number;
  lockoutMinutes?: number;
  passwordPolicy?: PasswordPolicy;
}
interface TenantView {
  id: string;
  name: string;
  security: Security;
}

const n = (v: string | number) => (typeof v === 'number' ? v : Number.parseInt(v, 10));

export function TenantSecurity() {
  const tenant = useQuery({ queryKey: ['tenant'], queryFn: async () => (await unwrap(api.GET('/v1/tenants/current'))) as TenantView });
  if (tenant.error) return <ErrorAlert error={tenant.error} />;
  if (!tenant.data) return null;
  return <TenantSecurityForm tenant={tenant.data} />;
}

function TenantSecurityForm({ tenant }: { tenant: TenantView }) {
  const s = tenant.security;
  const p = s.passwordPolicy ?? {};
  const [mfaRequired, setMfa] = useState(s.mfaRequired !== false);
  const [maxLoginAttempts, setAttempts] = useState<string | number>(s.maxLoginAttempts ?? 5);
  const [lockoutMinutes, setLockout] = useState<string | number>(s.lockoutMinutes ?? 15);
  const [minLength, setMinLength] = useState<string | number>(p.minLength ?? 12);
  const [historySize, setHistory] = useState<string | number>(p.historySize ?? 5);
  const [expiryDays, setExpiry] = useState<string | number>(p.expiryDays ?? '');
  const [composition, setComposition] = useState({
    requireUpper: p.requireUpper === true,
    requireLower: p.requireLower === true,
    requireDigit: p.requireDigit === true,
    requireSymbol: p.requireSymbol === true,
  });
  const save = useMutation({
    mutationFn: () =>
      unwrap(api.PATCH('/v1/tenants/current', { body: {
        security: {
          mfaRequired,
          maxLoginAttempts: n(maxLoginAttempts),
          lockoutMinutes: n(lockoutMinutes),
          passwordPolicy: {
            minLength: n(minLength),
            historySize: n(historySize),
            expiryDays: expiryDays === '' ? null : n(expiryDays),
            ...composition,
          },
        },
      } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tenant'] }),
  });
  const box = (key: keyof typeof composition, label: string) => (
    <Checkbox label={label} checked={composition[key]} onChange={(e) => setComposition((c) => ({ ...c, [key]: e.currentTarget.checked }))} />
  );
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack maw={460}>
        <Text>Security of {tenant.name}. Resellers may override the lockout and password policy for their own users.</Text>
        <Switch label="Require two-factor authentication" checked={mfaRequired} onChange={(e) => setMfa(e.currentTarget.checked)} />
        <NumberInput label="Failed logins before lockout" min={1} max={100} value={maxLoginAttempts} onChange={setAttempts} />
        <NumberInput label="Lockout minutes" min={1} max={1440} value={lockoutMinutes} onChange={setLockout} />
        <NumberInput label="Minimum password length" min={8} max={128} value={minLength} onChange={setMinLength} />
        <NumberInput label="Passwords remembered (no reuse)" min={0} max={24} value={historySize} onChange={setHistory} />
        <NumberInput label="Password expiry in days" description="Empty: passwords do not expire" min={1} max={3650} value={expiryDays} onChange={setExpiry} />
        {box('requireUpper', 'Require an upper-case letter')}
        {box('requireLower', 'Require a lower-case letter')}
        {box('requireDigit', 'Require a digit')}
        {box('requireSymbol', 'Require a symbol')}
        <ErrorAlert error={save.error} />
        {save.isSuccess && (
          <Alert color="green" role="status">
            Tenant security is saved.
          </Alert>
        )}
        <Button type="submit" loading={save.isPending}>
          Save security settings
        </Button>
      </Stack>
    </form>
  );
}

export function ApprovalSettings() {
  const settings = useQuery({
    queryKey: ['approval-settings'],
    queryFn: () => unwrap(api.GET('/v1/tenants/current/approval-settings')),
  });
  const [hardDeleteUser, setHardDelete] = useState(false);
  const [roleLevelRaise, setRoleRaise] = useState(false);
  useEffect(() => {
    if (settings.data) {
      setHardDelete(settings.data.hardDeleteUser);
      setRoleRaise(settings.data.roleLevelRaise);
    }
  }, [settings.data]);
  const save = useMutation({
    mutationFn: () => unwrap(api.PATCH('/v1/tenants/current/approval-settings', { body: { hardDeleteUser, roleLevelRaise } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['approval-settings'] }),
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack maw={520}>
        <ErrorAlert error={settings.error} />
        <Text>A checker (CHECKER on the module) must approve these actions before they happen:</Text>
        <Switch label="Hard delete of a user" checked={hardDeleteUser} onChange={(e) => setHardDelete(e.currentTarget.checked)} />
        <Switch label="Role edits that raise a permission level" checked={roleLevelRaise} onChange={(e) => setRoleRaise(e.currentTarget.checked)} />
        <ErrorAlert error={save.error} />
        {save.isSuccess && (
          <Alert color="green" role="status">
            Approval settings are saved.
          </Alert>
        )}
        <Button type="submit" loading={save.isPending} disabled={!settings.data}>
          Save approval settings
        </Button>
      </Stack>
    </form>
  );
}
