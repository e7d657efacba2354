// Create or edit a merchant. In TENANT context the full configuration (guide
// 1.1: settings, platforms, products, optional reseller); in RESELLER context
// the basic details only, platform settings being inherited (guide 1.2).
import { useState } from 'react';
import { Button, Checkbox, Fieldset, Group, Select, Stack, TextInput } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, unwrap, unwrapAs } from '../../api/client';
import type { Me, Merchant } from '../../api/types';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { idList, str, strs } from './fields';

export function MerchantForm({ me, merchant, onSaved, onCancel }: { me: Me; merchant?: Merchant; onSaved: (m: Merchant) => void; onCancel: () => void }) {
  const full = me.context.type === 'TENANT';
  const settings = (merchant?.settings ?? {}) as Record<string, unknown>;
  const [id, setId] = useState('');
  const [name, setName] = useState(merchant?.name ?? '');
  const [email, setEmail] = useState(merchant?.email ?? '');
  const [country, setCountry] = useState(merchant?.country ?? '');
  const [resellerId, setResellerId] = useState<string | null>(null);
  const [mfaRequired, setMfaRequired] = useState(settings.mfaRequired === true);
  const [merchantTrack, setMerchantTrack] = useState(str(settings.merchantTrack));
  const [integrationTypes, setIntegrationTypes] = useState(strs(settings.integrationTypes));
  const [industry, setIndustry] = useState(str(settings.industry));
  const [platforms, setPlatforms] = useState(strs(merchant?.platforms));
  const [products, setProducts] = useState(strs(merchant?.products));
  const resellers = useQuery({
    queryKey: ['resellers', 'pick'],
    queryFn: async () => (await unwrap(api.GET('/v1/resellers', { params: { query: { limit: 100 } } }))).items,
    enabled: full && !merchant,
  });

  const save = useMutation({
    mutationFn: async (): Promise<Merchant> => {
      const basic = { name: name.trim(), email: email.trim(), country: country.trim().toUpperCase() };
      const config = full
        ? {
            settings: {
              mfaRequired,
              ...(merchantTrack.trim() ? { merchantTrack: merchantTrack.trim() } : {}),
              integrationTypes: idList(integrationTypes),
              ...(industry.trim() ? { industry: industry.trim() } : {}),
            },
            platforms: idList(platforms),
            products: idList(products),
          }
        : {};
      if (merchant) return unwrapAs<Merchant>(api.PATCH('/v1/merchants/{id}', { params: { path: { id: merchant.id } }, body: { ...basic, ...config } }));
      return unwrap(api.POST('/v1/merchants', { body: { id: id.trim(), ...basic, ...config, ...(full && resellerId ? { resellerId } : {}) } }));
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
        {!merchant && <TextInput label="Merchant ID" required value={id} onChange={(e) => setId(e.currentTarget.value)} />}
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <TextInput label="Email" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
        <TextInput label="Country" description="Two-letter code, e.g. NL" required value={country} onChange={(e) => setCountry(e.currentTarget.value)} />
        {full && !merchant && (
          <Select
            label="Reseller"
            description="Leave empty for a merchant of the tenant directly"
            clearable
            searchable
            data={(resellers.data ?? []).map((r) => ({ value: r.id, label: `${r.id} — ${r.name}` }))}
            value={resellerId}
            onChange={setResellerId}
          />
        )}
        {full ? (
          <>
            <Fieldset legend="Settings">
              <Stack>
                <Checkbox label="Require two-factor authentication" checked={mfaRequired} onChange={(e) => setMfaRequired(e.currentTarget.checked)} />
                <TextInput label="Merchant track" value={merchantTrack} onChange={(e) => setMerchantTrack(e.currentTarget.value)} />
                <TextInput label="Integration types" description="Separate with commas" value={integrationTypes} onChange={(e) => setIntegrationTypes(e.currentTarget.value)} />
                <TextInput label="Industry" value={industry} onChange={(e) => setIndustry(e.currentTarget.value)} />
              </Stack>
            </Fieldset>
            <TextInput label="Client platforms" description="Separate with commas" value={platforms} onChange={(e) => setPlatforms(e.currentTarget.value)} />
            <TextInput label="Products" description="Separate with commas" value={products} onChange={(e) => setProducts(e.currentTarget.value)} />
          </>
        ) : (
          <Stack gap={0}>
            <span>Platform settings are inherited from your reseller.</span>
          </Stack>
        )}
        <ErrorAlert error={save.error} />
        <Group>
          <Button type="submit" loading={save.isPending}>
            {merchant ? 'Save merchant' : 'Create merchant'}
          </Button>
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
