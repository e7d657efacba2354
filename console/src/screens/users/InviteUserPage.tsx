// Invite New User (guide: Email, Role, Merchant Access, Advanced Settings with
// Product IDs and Gateway Reference IDs, Send Invite), with a new role created
// from the form when none fits.
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { Accordion, Button, Group, Modal, Paper, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { queryClient } from '../../api/query-client';
import type { Me } from '../../api/types';
import { allows } from '../../session/acl';
import type { ContextType } from '../../session/session';
import { useMe } from '../../session/use-session';
import { merchantLabel, useMerchantSearch, useRoles } from '../../data/lookups';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { notify } from '../../ui/notices';
import { PageTitle } from '../../ui/PageTitle';
import { RoleForm } from '../roles/RoleForm';
import { MerchantPicker } from './MerchantPicker';

const typesFor: Record<ContextType, ContextType[]> = {
  TENANT: ['TENANT', 'RESELLER', 'MERCHANT'],
  RESELLER: ['RESELLER', 'MERCHANT'],
  MERCHANT: ['MERCHANT'],
};

const idList = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

export default function InviteUserPage() {
  const me = useMe().data;
  if (!me) return null;
  return <InviteForm me={me} />;
}

function InviteForm({ me }: { me: Me }) {
  const navigate = useNavigate();
  const ctx = me.context;
  const [email, setEmail] = useState('');
  const [type, setType] = useState<ContextType>(ctx.type);
  const [roleId, setRoleId] = useState<string | null>(null);
  const [resellerId, setResellerId] = useState<string | null>(null);
  const [merchantId, setMerchantId] = useState<string | null>(null);
  const [merchantsAccess, setMerchantsAccess] = useState<string[]>([]);
  const [productIds, setProductIds] = useState('');
  const [gatewayRefIds, setGatewayRefIds] = useState('');
  const [creatingRole, setCreatingRole] = useState(false);
  const [merchantSearch, setMerchantSearch] = useState('');
  const roles = useRoles();
  const resellers = useQuery({
    queryKey: ['resellers', 'pick'],
    queryFn: async () => (await unwrap(api.GET('/v1/resellers', { params: { query: { limit: 100 } } }))).items,
    enabled: ctx.type === 'TENANT' && type === 'RESELLER',
  });
  const needsMerchant = type === 'MERCHANT' && ctx.type !== 'MERCHANT';
  const merchants = useMerchantSearch(merchantSearch.trim(), needsMerchant);
  const assignable = (roles.data ?? []).filter((r) => r.scope === type && r.enabled);
  const canCreateRole = allows(me.acl, 'roles', 'RW');

  const invite = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/users', {
          body: {
            email: email.trim(),
            roleId: roleId ?? '',
            type,
            ...(type === 'RESELLER' && ctx.type === 'TENANT' && resellerId ? { resellerId } : {}),
            ...(needsMerchant && merchantId ? { merchantId } : {}),
            ...(type !== 'MERCHANT' ? { merchantsAccess } : {}),
            productIds: idList(productIds),
            gatewayRefIds: idList(gatewayRefIds),
          },
        }),
      ),
    onSuccess: async (answer) => {
      // 202: a role that grants anything waits for a checker when the tenant requires one for level raises.
      if ('approvalId' in answer) {
        notify('The invitation grants a role, so it waits for a checker’s approval (see Approvals).');
        await navigate(`/approvals/${answer.approvalId}`);
        return;
      }
      await queryClient.invalidateQueries({ queryKey: ['users'] });
      notify(`Invitation sent to ${answer.email}.`);
      await navigate(`/users/${answer.id}`);
    },
  });

  return (
    <>
      <PageTitle>Invite New User</PageTitle>
      <Paper withBorder p="lg" maw={640}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            invite.mutate();
          }}
        >
          <Stack>
            <TextInput label="Email" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
            {typesFor[ctx.type].length > 1 && (
              <Select
                label="User type"
                data={typesFor[ctx.type].map((t) => ({ value: t, label: `${t.charAt(0)}${t.slice(1).toLowerCase()} user` }))}
                value={type}
                onChange={(v) => {
                  if (!v) return;
                  setType(v);
                  setRoleId(null);
                }}
                allowDeselect={false}
              />
            )}
            {type === 'RESELLER' && ctx.type === 'TENANT' && (
              <Select
                label="Reseller"
                required
                searchable
                data={(resellers.data ?? []).map((r) => ({ value: r.id, label: `${r.id} — ${r.name}` }))}
                value={resellerId}
                onChange={(v) => {
                  setResellerId(v);
                  setMerchantsAccess([]);
                }}
              />
            )}
            {needsMerchant && (
              <Select
                label="Merchant"
                required
                searchable
                searchValue={merchantSearch}
                onSearchChange={setMerchantSearch}
                filter={({ options }) => options}
                data={(merchants.data ?? []).map((m) => ({ value: m.id, label: merchantLabel(m) }))}
                value={merchantId}
                onChange={setMerchantId}
              />
            )}
            <Group align="end" wrap="nowrap">
              <Select
                label="Role"
                required
                searchable
                style={{ flex: 1 }}
                data={assignable.map((r) => ({ value: r.id, label: r.name }))}
                value={roleId}
                onChange={setRoleId}
                nothingFoundMessage="No enabled role for this user type"
              />
              {canCreateRole && (
                <Button variant="default" onClick={() => setCreatingRole(true)}>
                  Create new role
                </Button>
              )}
            </Group>
            {type !== 'MERCHANT' && (
              <MerchantPicker
                value={merchantsAccess}
                onChange={setMerchantsAccess}
                resellerId={type === 'RESELLER' ? (ctx.type === 'RESELLER' ? ctx.id : resellerId) : null}
                description={
                  type === 'TENANT'
                    ? 'Leave empty for access to every merchant of the tenant.'
                    : 'Leave empty for access to every merchant of the reseller.'
                }
              />
            )}
            <Accordion variant="contained">
              <Accordion.Item value="advanced">
                <Accordion.Control>Advanced Settings</Accordion.Control>
                <Accordion.Panel>
                  <Stack>
                    <Text size="sm">Restrict the user to these products and gateways. Leave empty for no restriction.</Text>
                    <TextInput label="Product IDs" description="Separate with commas" value={productIds} onChange={(e) => setProductIds(e.currentTarget.value)} />
                    <TextInput
                      label="Gateway Reference IDs"
                      description="Separate with commas"
                      value={gatewayRefIds}
                      onChange={(e) => setGatewayRefIds(e.currentTarget.value)}
                    />
                  </Stack>
                </Accordion.Panel>
              </Accordion.Item>
            </Accordion>
            <ErrorAlert error={invite.error} />
            <Group>
              <Button type="submit" loading={invite.isPending} disabled={!roleId}>
                Send Invite
              </Button>
              <Button variant="default" onClick={() => void navigate('/users')}>
                Cancel
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>
      <Modal opened={creatingRole} onClose={() => setCreatingRole(false)} title="Create new role" size="xl">
        <RoleForm
          me={me}
          fixedScope={type}
          onCancel={() => setCreatingRole(false)}
          onSaved={({ role }) => {
            void queryClient.invalidateQueries({ queryKey: ['roles'] });
            setRoleId(role.id);
            setCreatingRole(false);
          }}
        />
      </Modal>
    </>
  );
}
