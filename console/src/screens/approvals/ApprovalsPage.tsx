// Maker-checker: what waits for me (as checker) and my requests (as maker).
import { useState } from 'react';
import { Link } from 'react-router';
import { Anchor, Badge, Select, Table, Tabs, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { Approval } from '../../api/types';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { PageTitle } from '../../ui/PageTitle';
import { CursorPager, useCursorPages } from '../../ui/CursorPager';
import { describeRequest } from './describe';

const statuses: Approval['status'][] = ['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED', 'EXECUTED', 'FAILED'];

export default function ApprovalsPage() {
  const [tab, setTab] = useState<'waiting' | 'mine'>('waiting');
  const [status, setStatus] = useState<Approval['status'] | null>('PENDING');
  const pages = useCursorPages(`${tab}:${status ?? ''}`);
  const list = useQuery({
    queryKey: ['approvals', tab, status, pages.cursor],
    queryFn: () =>
      unwrap(
        api.GET('/v1/approvals', {
          params: {
            query: { limit: 50, ...(tab === 'mine' ? { mine: true } : {}), ...(status ? { status } : {}), ...(pages.cursor ? { cursor: pages.cursor } : {}) },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });

  return (
    <>
      <PageTitle>Approvals</PageTitle>
      <Tabs value={tab} onChange={(v) => setTab(v === 'mine' ? 'mine' : 'waiting')} mb="md">
        <Tabs.List>
          <Tabs.Tab value="waiting">Waiting for me</Tabs.Tab>
          <Tabs.Tab value="mine">My requests</Tabs.Tab>
        </Tabs.List>
      </Tabs>
      <Select label="Status" placeholder="Any" clearable data={statuses} value={status} onChange={(v) => setStatus(v)} w={180} mb="md" />
      <ErrorAlert error={list.error} />
      <Table striped highlightOnHover aria-label={tab === 'mine' ? 'My requests' : 'Requests waiting for me'}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Request</Table.Th>
            <Table.Th>Module</Table.Th>
            <Table.Th>Merchant</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Created</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {list.data?.items.map((a) => (
            <Table.Tr key={a.id}>
              <Table.Td>
                <Anchor component={Link} to={`/approvals/${a.id}`}>
                  {describeRequest(a)}
                </Anchor>
              </Table.Td>
              <Table.Td>{a.module}</Table.Td>
              <Table.Td>{a.merchantId ?? '—'}</Table.Td>
              <Table.Td>
                <Badge variant="filled" color="blue.8">{a.status}</Badge>
              </Table.Td>
              <Table.Td>{new Date(a.createdAt).toLocaleString()}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {list.data && list.data.items.length === 0 && <Text mt="md">{tab === 'mine' ? 'You have no request here.' : 'Nothing waits for you.'}</Text>}
      <CursorPager pages={pages} nextCursor={list.data?.nextCursor ?? null} />
    </>
  );
}
