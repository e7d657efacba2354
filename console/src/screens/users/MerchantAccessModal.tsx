// "Update Merchant Access" (guide 4.3): the current list in a searchable table,
// a multi-select to add or remove merchants, and the API's refusals as sentences
// (not on oneself, user must be ACTIVE, must change something, in scope only).
import { useState } from 'react';
import { Button, Group, Modal, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { queryClient } from '../../api/query-client';
import type { User } from '../../api/types';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { notify } from '../../ui/notices';
import { MerchantPicker } from './MerchantPicker';

export function MerchantAccessModal({ user, onClose }: { user: User; onClose: () => void }) {
  const [filter, setFilter] = useState('');
  const [access, setAccess] = useState<string[]>(user.merchantsAccess);
  const update = useMutation({
    mutationFn: () =>
      unwrap(api.PUT('/v1/users/{id}/merchant-access', { params: { path: { id: user.id } }, body: { merchantsAccess: access } })),
    onSuccess: async () => {
      notify('Merchant access is updated.');
      await queryClient.invalidateQueries({ queryKey: ['users'] });
      onClose();
    },
  });
  const current = user.merchantsAccess.filter((id) => id.toLowerCase().includes(filter.trim().toLowerCase()));
  const everyMerchant = `All merchants of the ${user.type === 'TENANT' ? 'tenant' : 'reseller'}`;

  return (
    <Modal opened onClose={onClose} title="Update Merchant Access" size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          update.mutate();
        }}
      >
        <Stack>
          <Text fw={600} id="current-access-title">
            Current merchant access
          </Text>
          {user.merchantsAccess.length === 0 ? (
            <Text>{everyMerchant} (no list).</Text>
          ) : (
            <>
              <TextInput label="Search current merchants" value={filter} onChange={(e) => setFilter(e.currentTarget.value)} />
              <Table aria-labelledby="current-access-title" withTableBorder>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Merchant ID</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {current.map((id) => (
                    <Table.Tr key={id}>
                      <Table.Td>{id}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </>
          )}
          <MerchantPicker
            value={access}
            onChange={setAccess}
            description={`Add or remove merchants. Empty means ${everyMerchant.toLowerCase()}.`}
          />
          <ErrorAlert error={update.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={update.isPending}>
              Update Merchant Access
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
