// Settings: my password and my 2FA for everyone; tenant security and approval
// settings for a tenant administrator (tenants RW in TENANT context).
import { Tabs } from '@mantine/core';
import { managesTenant } from '../../session/navigation';
import { useMe } from '../../session/use-session';
import { PageTitle } from '../../ui/PageTitle';
import { MyPassword, MyTwoFactor } from './MySecurity';
import { ApprovalSettings, TenantSecurity } from './TenantSettings';

export default function SettingsPage() {
  const me = useMe().data;
  if (!me) return null;
  const tenant = managesTenant(me);
  return (
    <>
      <PageTitle>Settings</PageTitle>
      <Tabs defaultValue="password" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="password">My password</Tabs.Tab>
          <Tabs.Tab value="mfa">My 2FA</Tabs.Tab>
          {tenant && <Tabs.Tab value="security">Tenant security</Tabs.Tab>}
          {tenant && <Tabs.Tab value="approvals">Approval settings</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="password" pt="md">
          <MyPassword />
        </Tabs.Panel>
        <Tabs.Panel value="mfa" pt="md">
          <MyTwoFactor me={me} />
        </Tabs.Panel>
        {tenant && (
          <Tabs.Panel value="security" pt="md">
            <TenantSecurity />
          </Tabs.Panel>
        )}
        {tenant && (
          <Tabs.Panel value="approvals" pt="md">
            <ApprovalSettings />
          </Tabs.Panel>
        )}
      </Tabs>
    </>
  );
}
