// Create or edit a role: one radio group per module of GET /v1/modules with the
// levels NA, R, RW, CHECKER — only those within the caller's own level and the
// module's ceiling are offered (no escalation). The API still decides; its
// refusals (SoD pairs, escalation) are shown as sentences.
import { useState } from 'react';
import { Button, Checkbox, Group, Radio, Select, Stack, Table, Text, TextInput, Textarea } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { Acl, Level, Me, Role } from '../../api/types';
import { LEVELS, levelOf, within } from '../../session/acl';
import { useModules } from '../../data/lookups';
import { ErrorAlert } from '../../ui/ErrorAlert';
import type { ContextType } from '../../session/session';

const scopesFor: Record<ContextType, ContextType[]> = {
  TENANT: ['TENANT', 'RESELLER', 'MERCHANT'],
  RESELLER: ['RESELLER', 'MERCHANT'],
  MERCHANT: ['MERCHANT'],
};

export interface RoleSaved {
  role: Role;
  held: boolean;
}

export function RoleForm({
  me,
  role,
  fixedScope,
  onSaved,
  onCancel,
}: {
  me: Me;
  role?: Role;
  fixedScope?: ContextType;
  onSaved: (saved: RoleSaved) => void;
  onCancel?: () => void;
}) {
  const modules = useModules();
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [scope, setScope] = useState<ContextType>(role?.scope ?? fixedScope ?? me.context.type);
  const [requireMfa, setRequireMfa] = useState(role?.requireMfa ?? false);
  const [acl, setAcl] = useState<Acl>(() => {
    const initial: Acl = {};
    if (role) for (const m of modules.data ?? []) initial[m.name] = levelOf(role.acl, m.name);
    return initial;
  });

  const save = useMutation({
    mutationFn: async (): Promise<RoleSaved> => {
      const full: Acl = {};
      for (const m of modules.data ?? []) full[m.name] = acl[m.name] ?? (role ? levelOf(role.acl, m.name) : 'NA');
      if (role) {
        const answer = api.PATCH('/v1/roles/{id}', {
          params: { path: { id: role.id } },
          body: { name: name.trim(), description: description.trim(), acl: full, requireMfa },
        });
        // 202: a level-raising edit waits for a checker (tenant approval settings).
        if ((await answer).response.status === 202) return { role, held: true };
        return { role: (await unwrap(answer)) as Role, held: false };
      }
      const created = await unwrap(
        api.POST('/v1/roles', { body: { name: name.trim(), description: description.trim(), scope, acl: full, requireMfa } }),
      );
      return { role: created, held: false };
    },
    onSuccess: onSaved,
  });

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack>
        <TextInput label="Role name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <Textarea label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} autosize minRows={2} />
        {!role && !fixedScope && (
          <Select
            label="Assignable to"
            description="The user type this role can be given to"
            data={scopesFor[me.context.type].map((s) => ({ value: s, label: `${s} users` }))}
            value={scope}
            onChange={(v) => v && setScope(v)}
            allowDeselect={false}
          />
        )}
        <Checkbox label="Require two-factor authentication for holders" checked={requireMfa} onChange={(e) => setRequireMfa(e.currentTarget.checked)} />
        <Text fw={600} id="matrix-title">
          Permissions
        </Text>
        <Text size="sm" c="gray.7">
          NA: no access · R: read · RW: read and write · CHECKER: read and approve requests. Levels above your own are not offered.
        </Text>
        <ErrorAlert error={modules.error} />
        <Table aria-labelledby="matrix-title" withTableBorder>
          <Table.Tbody>
            {(modules.data ?? []).map((m) => {
              const mine = levelOf(me.acl, m.name);
              const offered = LEVELS.filter((l) => within(l, mine) && (!m.ceiling || within(l, m.ceiling as Level)));
              const value = acl[m.name] ?? (role ? levelOf(role.acl, m.name) : 'NA');
              return (
                <Table.Tr key={m.name}>
                  <Table.Td>
                    <Radio.Group label={m.name} value={value} onChange={(v) => setAcl((a) => ({ ...a, [m.name]: v }))}>
                      <Group mt={4}>
                        {offered.map((l) => (
                          <Radio key={l} value={l} label={l} />
                        ))}
                      </Group>
                    </Radio.Group>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
        <ErrorAlert error={save.error} />
        <Group>
          <Button type="submit" loading={save.isPending} disabled={!modules.data}>
            {role ? 'Save changes' : 'Create role'}
          </Button>
          {onCancel && (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  );
}
