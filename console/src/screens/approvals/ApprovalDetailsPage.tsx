// A held request: what was asked, by whom, and Approve / Reject with a reason.
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Anchor, Badge, Button, Code, Group, Modal, Paper, SimpleGrid, Stack, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { queryClient } from '../../api/query-client';
import { useMe } from '../../session/use-session';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { notify } from '../../ui/notices';
import { PageTitle } from '../../ui/PageTitle';
import { describeRequest } from './describe';

export default function ApprovalDetailsPage() {
  const { id = '' } = useParams();
  const me = useMe().data;
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const approval = useQuery({ queryKey: ['approvals', 'one', id], queryFn: () => unwrap(api.GET('/v1/approvals/{id}', { params: { path: { id } } })) });
  const after = async (message: string) => {
    notify(message);
    setRejecting(false);
    await queryClient.invalidateQueries({ queryKey: ['approvals'] });
  };
  const approve = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/approvals/{id}/approve', { params: { path: { id } }, body: {} })),
    onSuccess: (a) => after(a.status === 'FAILED' ? 'Approved, but the request failed when it was carried out.' : 'The request is approved and was carried out.'),
  });
  const reject = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/approvals/{id}/reject', { params: { path: { id } }, body: { reason: reason.trim() } })),
    onSuccess: () => after('The request is rejected.'),
  });

  if (approval.error) return <ErrorAlert error={approval.error} />;
  if (!approval.data || !me) return null;
  const a = approval.data;
  const mine = a.makerId === me.user.id;

  return (
    <>
      <PageTitle>{describeRequest(a)}</PageTitle>
      <Anchor component={Link} to="/approvals" size="sm">
        ← Back to approvals
      </Anchor>
      <Stack mt="sm">
        <Paper withBorder p="lg">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <div>
              <Text size="sm" c="gray.7">Status</Text>
              <Badge>{a.status}</Badge>
            </div>
            <div>
              <Text size="sm" c="gray.7">Module</Text>
              {a.module}
            </div>
            <div>
              <Text size="sm" c="gray.7">Requested by</Text>
              {mine ? 'You' : <Code>{a.makerId}</Code>} ({a.makerContext.type} {a.makerContext.id})
            </div>
            <div>
              <Text size="sm" c="gray.7">Merchant</Text>
              {a.merchantId ?? '—'}
            </div>
            <div>
              <Text size="sm" c="gray.7">Created</Text>
              {new Date(a.createdAt).toLocaleString()}
            </div>
            <div>
              <Text size="sm" c="gray.7">Expires</Text>
              {new Date(a.expiresAt).toLocaleString()}
            </div>
            {a.reason && (
              <div>
                <Text size="sm" c="gray.7">Reason</Text>
                {a.reason}
              </div>
            )}
          </SimpleGrid>
        </Paper>
        <Title order={2} size="h3">
          Request
        </Title>
        <Code block>{JSON.stringify(a.request, null, 2)}</Code>
        {a.result && (
          <>
            <Title order={2} size="h3">
              Result
            </Title>
            <Code block>{JSON.stringify(a.result, null, 2)}</Code>
          </>
        )}
        <ErrorAlert error={approve.error} />
        {a.status === 'PENDING' && !mine && (
          <Group>
            <Button color="teal.9" loading={approve.isPending} onClick={() => approve.mutate()}>
              Approve
            </Button>
            <Button color="red.9" variant="outline" onClick={() => setRejecting(true)}>
              Reject
            </Button>
          </Group>
        )}
        {a.status === 'PENDING' && mine && <Text>This is your own request: another checker decides it.</Text>}
      </Stack>
      <Modal opened={rejecting} onClose={() => setRejecting(false)} title="Reject request">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            reject.mutate();
          }}
        >
          <Stack>
            <Textarea label="Reason" required value={reason} onChange={(e) => setReason(e.currentTarget.value)} data-autofocus />
            <ErrorAlert error={reject.error} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setRejecting(false)}>
                Cancel
              </Button>
              <Button type="submit" color="red.9" loading={reject.isPending}>
                Reject
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
