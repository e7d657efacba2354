// Routes per screen. Screens load lazily so the first paint carries only the
// shell; the session is restored from the refresh cookie before anything else.
import { lazy, Suspense, useEffect } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { Center, Loader } from '@mantine/core';
import { refreshSession } from './session/session';
import { useSession } from './session/use-session';

const LoginPage = lazy(() => import('./screens/auth/LoginPage'));
const AcceptInvitationPage = lazy(() => import('./screens/auth/AcceptInvitationPage'));
const ConfirmEmailPage = lazy(() => import('./screens/auth/ConfirmEmailPage'));
const Shell = lazy(() => import('./screens/shell/Shell'));
const HomeRedirect = lazy(() => import('./screens/shell/HomeRedirect'));
const UsersPage = lazy(() => import('./screens/users/UsersPage'));
const InviteUserPage = lazy(() => import('./screens/users/InviteUserPage'));
const UserDetailsPage = lazy(() => import('./screens/users/UserDetailsPage'));
const RolesPage = lazy(() => import('./screens/roles/RolesPage'));
const RoleDetailsPage = lazy(() => import('./screens/roles/RoleDetailsPage'));
const RoleEditorPage = lazy(() => import('./screens/roles/RoleEditorPage'));
const MerchantsPage = lazy(() => import('./screens/entities/MerchantsPage'));
const MerchantDetailsPage = lazy(() => import('./screens/entities/MerchantDetailsPage'));
const ResellersPage = lazy(() => import('./screens/entities/ResellersPage'));
const ResellerDetailsPage = lazy(() => import('./screens/entities/ResellerDetailsPage'));
const ApprovalsPage = lazy(() => import('./screens/approvals/ApprovalsPage'));
const ApprovalDetailsPage = lazy(() => import('./screens/approvals/ApprovalDetailsPage'));
const AuditPage = lazy(() => import('./screens/audit/AuditPage'));
const SettingsPage = lazy(() => import('./screens/settings/SettingsPage'));

const loading = (
  <Center h="100vh">
    <Loader aria-label="Loading" />
  </Center>
);

function RequireSession({ children }: { children: React.ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.status === 'restoring') return loading;
  if (session.status === 'anonymous') {
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  }
  return children;
}

export function App() {
  const session = useSession();
  useEffect(() => {
    // A reload keeps the session: the refresh cookie answers a new access token.
    if (session.status === 'restoring') void refreshSession();
  }, [session.status]);

  return (
    <Suspense fallback={loading}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/invitations/accept" element={<AcceptInvitationPage />} />
        <Route path="/email-verifications/confirm" element={<ConfirmEmailPage />} />
        <Route
          element={
            <RequireSession>
              <Shell />
            </RequireSession>
          }
        >
          <Route index element={<HomeRedirect />} />
          <Route path="users" element={<UsersPage />} />
          <Route path="users/invite" element={<InviteUserPage />} />
          <Route path="users/:id" element={<UserDetailsPage />} />
          <Route path="roles" element={<RolesPage />} />
          <Route path="roles/new" element={<RoleEditorPage />} />
          <Route path="roles/:id" element={<RoleDetailsPage />} />
          <Route path="roles/:id/edit" element={<RoleEditorPage />} />
          <Route path="merchants" element={<MerchantsPage />} />
          <Route path="merchants/:id" element={<MerchantDetailsPage />} />
          <Route path="resellers" element={<ResellersPage />} />
          <Route path="resellers/:id" element={<ResellerDetailsPage />} />
          <Route path="approvals" element={<ApprovalsPage />} />
          <Route path="approvals/:id" element={<ApprovalDetailsPage />} />
          <Route path="audit" element={<AuditPage />} />
          <Route path="settings" element={<SettingsPage />} />
          <Route path="*" element={<HomeRedirect />} />
        </Route>
      </Routes>
    </Suspense>
  );
}
