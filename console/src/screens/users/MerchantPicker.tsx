// "Merchant Access": a searchable multi-select of the merchants in the caller's
// scope, each shown with its id and name. The search runs on the server.
import { useState } from 'react';
import { MultiSelect } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { merchantLabel, useMerchantSearch } from '../../data/lookups';

export function MerchantPicker({
  value,
  onChange,
  description,
  label = 'Merchant Access',
  resellerId,
}: {
  value: string[];
  onChange: (ids: string[]) => void;
  description?: string;
  label?: string;
  resellerId?: string | null;
}) {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const merchants = useMerchantSearch(q);
  // Labels of chosen merchants survive a new search that no longer lists them.
  const [known, setKnown] = useState<Map<string, string>>(new Map());
  const found = (merchants.data ?? []).filter((m) => !resellerId || m.resellerId === resellerId);
  const labels = new Map(known);
  for (const m of found) labels.set(m.id, merchantLabel(m));
  const data = [...new Set([...value, ...found.map((m) => m.id)])].map((id) => ({ value: id, label: labels.get(id) ?? id }));

  return (
    <MultiSelect
      label={label}
      description={description}
      placeholder={value.length === 0 ? 'Search by merchant ID or name' : undefined}
      searchable
      clearable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options }) => options}
      nothingFoundMessage={merchants.isFetching ? 'Searching…' : 'No merchant in your scope matches'}
      data={data}
      value={value}
      onChange={(ids) => {
        setKnown(labels);
        onChange(ids);
      }}
      maxDropdownHeight={260}
    />
  );
}
