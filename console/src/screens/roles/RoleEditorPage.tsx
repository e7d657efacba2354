// "Create New Role" and "Edit Role" around the shared RoleForm.
import { useNavigate, useParams } from 'react-router';
import { Paper } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { queryClient } from '../../api/query-client';
import { useMe } from '../../session/use-session';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { notify } from '../../ui/notices';
import { PageTitle } from '../../ui/PageTitle';
import { RoleForm } from './RoleForm';

export default function RoleEditorPage() {
  const { id } = useParams();
  const navigate = useNavigate();
  const me = useMe().data;
  const role = useQuery({
    queryKey: ['roles', 'one', id],
    queryFn: () => unwrap(api.GET('/v1/roles/{id}', { params: { path: { id: id ?? '' } } })),
    enabled: Boolean(id),
  });
  if (role.error) return <ErrorAlert error={role.error} />;
  if (!me || (id && !role.data)) return null;
  return (
    <>
      <PageTitle>{role.data ? `Edit Role: ${role.data.name}` : 'Create New Role'}</PageTitle>
      <Paper withBorder p="lg" maw={720}>
        <RoleForm
          me={me}
          {...(role.data ? { role: role.data } : {})}
          onCancel={() => void navigate(role.data ? `/roles/${role.data.id}` : '/roles')}
          onSaved={({ role: saved, held }) => {
            void queryClient.invalidateQueries({ queryKey: ['roles'] });
            notify(held ? 'The change raises a level, so it waits for a checker’s approval (see Approvals).' : `The role “${saved.name}” is saved.`);
            void navigate(`/roles/${saved.id}`);
          }}
        />
      </Paper>
    </>
  );
}
