// The list and details screens of merchants and resellers: the same layout
// (search with server-side paging and a create modal; details and users tabs
// with an edit modal), told apart only by what each entity shows and which
// form edits it. MerchantsPage, ResellersPage and their details pages say
// that, and nothing else.
import { useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Anchor, Button, Code, Modal, Paper, SimpleGrid, Table, Tabs, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { Me } from '../../api/types';
import { queryClient } from '../../api/query-client';
import { allows } from '../../session/acl';
import { useMe } from '../../session/use-session';
import { CursorPager, useCursorPages } from '../../ui/CursorPager';
import { Detail } from '../../ui/Detail';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { notify } from '../../ui/notices';
import { PageTitle } from '../../ui/PageTitle';
import { EntityUsers } from './EntityUsers';

type Kind = 'merchants' | 'resellers';

/** `Merchant` / `Reseller`, and where its screens are. */
interface EntityNames {
  kind: Kind;
  noun: string;
}

const plural = (kind: Kind) => (kind === 'merchants' ? 'Merchants' : 'Resellers');
const pathOf = (kind: Kind, id: string) => `/${kind}/${encodeURIComponent(id)}`;

interface ListProps<T extends { id: string }> extends EntityNames {
  /** One page of the list: `q` searches ids and names server side. */
  list: (q: string, cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>;
  /** Columns after the id (header, cell). */
  columns: [string, (item: T) => ReactNode][];
  canCreate: (me: Me) => boolean;
  /** The create form; `saved` closes it, tells and opens the new entity. */
  createForm: (me: Me, close: () => void, saved: (created: { id: string }) => void) => ReactNode;
  /** Said once the entity is created. */
  createdNotice: (id: string) => string;
}

export function EntityListPage<T extends { id: string }>(p: ListProps<T>) {
  const me = useMe().data;
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const pages = useCursorPages(q);
  const entities = useQuery({
    queryKey: [p.kind, 'list', q, pages.cursor],
    queryFn: () => p.list(q, pages.cursor),
    placeholderData: keepPreviousData,
  });
  const canCreate = me ? p.canCreate(me) : false;
  const title = plural(p.kind);
  const lower = p.noun.toLowerCase();

  return (
    <>
      <PageTitle actions={canCreate && <Button onClick={() => setCreating(true)}>Create {p.noun}</Button>}>{title}</PageTitle>
      <TextInput label="Search" placeholder={`${p.noun} ID or name`} value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={280} mb="md" />
      <ErrorAlert error={entities.error} />
      <Table striped highlightOnHover aria-label={title}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{p.noun} ID</Table.Th>
            {p.columns.map(([header]) => (
              <Table.Th key={header}>{header}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entities.data?.items.map((item) => (
            <Table.Tr key={item.id}>
              <Table.Td>
                <Anchor component={Link} to={pathOf(p.kind, item.id)}>
                  {item.id}
                </Anchor>
              </Table.Td>
              {p.columns.map(([header, cell]) => (
                <Table.Td key={header}>{cell(item)}</Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {entities.data && entities.data.items.length === 0 && <Text mt="md">No {lower} matches.</Text>}
      <CursorPager pages={pages} nextCursor={entities.data?.nextCursor ?? null} />
      {me && canCreate && (
        <Modal opened={creating} onClose={() => setCreating(false)} title={`Create ${p.noun}`} size="lg">
          {p.createForm(
            me,
            () => setCreating(false),
            (created) => {
              void queryClient.invalidateQueries({ queryKey: [p.kind] });
              notify(p.createdNotice(created.id));
              void navigate(pathOf(p.kind, created.id));
            },
          )}
        </Modal>
      )}
    </>
  );
}

interface DetailsProps<T extends { id: string; name: string }> extends EntityNames {
  load: (id: string) => Promise<T>;
  canEdit: (me: Me) => boolean;
  /** The Details tab's fields after the id. */
  details: (entity: T) => ReactNode;
  /** The edit form; `saved` closes it and tells. */
  editForm: (me: Me, entity: T, close: () => void, saved: () => void) => ReactNode;
}

export function EntityDetailsPage<T extends { id: string; name: string }>(p: DetailsProps<T>) {
  const { id = '' } = useParams();
  const me = useMe().data;
  const [editing, setEditing] = useState(false);
  const entity = useQuery({ queryKey: [p.kind, 'one', id], queryFn: () => p.load(id) });
  if (entity.error) return <ErrorAlert error={entity.error} />;
  if (!entity.data || !me) return null;
  const e = entity.data;
  const canEdit = p.canEdit(me);
  const lower = p.noun.toLowerCase();
  return (
    <>
      <PageTitle actions={canEdit && <Button onClick={() => setEditing(true)}>Edit {p.noun}</Button>}>{e.name}</PageTitle>
      <Anchor component={Link} to={`/${p.kind}`} size="sm">
        ← Back to {p.kind}
      </Anchor>
      <Tabs defaultValue="details" mt="sm">
        <Tabs.List>
          <Tabs.Tab value="details">Details</Tabs.Tab>
          {allows(me.acl, 'users', 'R') && <Tabs.Tab value="users">Users</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="details" pt="md">
          <Paper withBorder p="lg">
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Detail label={`${p.noun} ID`}>
                <Code>{e.id}</Code>
              </Detail>
              {p.details(e)}
            </SimpleGrid>
          </Paper>
        </Tabs.Panel>
        <Tabs.Panel value="users" pt="md">
          <EntityUsers kind={p.kind} id={e.id} />
        </Tabs.Panel>
      </Tabs>
      <Modal opened={editing} onClose={() => setEditing(false)} title={`Edit ${p.noun}`} size="lg">
        {p.editForm(
          me,
          e,
          () => setEditing(false),
          () => {
            setEditing(false);
            notify(`The ${lower} is saved.`);
            void queryClient.invalidateQueries({ queryKey: [p.kind] });
          },
        )}
      </Modal>
    </>
  );
}
