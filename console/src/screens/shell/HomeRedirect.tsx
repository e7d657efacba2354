import { Navigate } from 'react-router';
import { Center, Loader } from '@mantine/core';
import { useMe } from '../../session/use-session';
import { sectionsFor } from '../../session/navigation';
import { ErrorAlert } from '../../ui/ErrorAlert';

/** The first screen the caller may open. */
export default function HomeRedirect() {
  const me = useMe();
  if (me.error) return <ErrorAlert error={me.error} />;
  if (!me.data) return <Center><Loader aria-label="Loading" /></Center>;
  return <Navigate to={sectionsFor(me.data)[0]?.path ?? '/settings'} replace />;
}
