import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useAuth } from './lib/auth';
import { useLiveEvents } from './lib/events';
import { api } from './lib/api';
import { Icon, type IconName } from './components/Icon';
import { LoginPage, SetupPage } from './pages/Auth';
import { InboxPage } from './pages/Inbox';
import { MentionToasts } from './components/MentionToasts';

const ComposePage = lazy(() => import('./pages/Compose'));
const ContactsPage = lazy(() => import('./pages/Contacts'));
const LogsPage = lazy(() => import('./pages/Logs'));
const SandboxPage = lazy(() => import('./pages/Sandbox'));
const SettingsPage = lazy(() => import('./pages/Settings'));
const TemplatesPage = lazy(() => import('./pages/Templates'));
const CasesPage = lazy(() => import('./pages/Cases'));
const OrganisationPage = lazy(() => import('./pages/Organisation'));
const AuditLogPage = lazy(() => import('./pages/AuditLog'));
const AdminPage = lazy(() => import('./pages/Admin'));
const WorkflowsPage = lazy(() => import('./pages/Workflows'));
const EventWebhooksPage = lazy(() => import('./pages/EventWebhooks'));

export function App() {
  const { user, loading } = useAuth();
  const setup = useQuery({ queryKey: ['setup'], queryFn: () => api<{ needsSetup: boolean }>('/auth/setup'), enabled: !loading && !user, staleTime: 0 });
  if (loading) return <div className="splash">Loading…</div>;
  if (!user) {
    if (setup.isLoading) return <div className="splash">Loading…</div>;
    return (
      <Routes>
        <Route path="/setup" element={setup.data?.needsSetup ? <SetupPage /> : <Navigate to="/login" replace />} />
        <Route path="/login" element={setup.data?.needsSetup ? <Navigate to="/setup" replace /> : <LoginPage />} />
        <Route path="*" element={<Navigate to={setup.data?.needsSetup ? '/setup' : '/login'} replace />} />
      </Routes>
    );
  }
  return <Shell />;
}

/** Shows a page only to the roles its API answers, so nobody is shown a page that only fails. */
function Restricted({ allowed, refusal, testId, children }: { allowed: boolean; refusal: string; testId: string; children: ReactNode }) {
  if (!allowed) {
    return (
      <div className="page">
        <div className="notice error" role="alert" data-testid={testId}>
          {refusal}
        </div>
      </div>
    );
  }
  return <>{children}</>;
}

function AdminOnly({ children }: { children: ReactNode }) {
  const { isAdmin } = useAuth();
  return (
    <Restricted allowed={isAdmin} refusal="Only owners and admins can open the admin pages. Ask an admin if you need a change." testId="admin-refused">
      {children}
    </Restricted>
  );
}

/** The audit log's API answers owners only. */
function OwnerOnly({ children }: { children: ReactNode }) {
  const { isOwner } = useAuth();
  return (
    <Restricted allowed={isOwner} refusal="Only owners can open this page. Ask an owner if you need it." testId="owner-refused">
      {children}
    </Restricted>
  );
}

function Shell() {
  const { user, isAdmin, isOwner, signOut, me } = useAuth();
  const live = useLiveEvents(true);
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  const unread = useQuery({
    queryKey: ['conversations', 'unread-total'],
    queryFn: () => api<{ items: Array<{ unreadCount: number }> }>('/conversations', { query: { unread: true, limit: 200 } }),
    select: (data) => data.items.reduce((sum, c) => sum + c.unreadCount, 0),
  });
  const links: Array<{ to: string; label: string; icon: IconName; admin?: boolean; owner?: boolean; badge?: number }> = [
    { to: '/inbox', label: 'Inbox', icon: 'inbox', badge: unread.data },
    { to: '/compose', label: 'New message', icon: 'compose' },
    { to: '/contacts', label: 'Contacts', icon: 'contacts' },
    { to: '/logs', label: 'Logs', icon: 'logs' },
    { to: '/sandbox', label: 'Sandbox phone', icon: 'phone' },
    { to: '/admin', label: 'Admin', icon: 'admin', admin: true },
    { to: '/settings', label: 'Settings', icon: 'bell' },
    { to: '/templates', label: 'Templates', icon: 'file' },
    { to: '/cases', label: 'Cases', icon: 'inbox' },
    { to: '/organisation', label: 'Organisation', icon: 'admin', admin: true },
    { to: '/audit-log', label: 'Audit log', icon: 'logs', owner: true },
    { to: '/workflows', label: 'Workflows', icon: 'compose', admin: true },
    { to: '/event-webhooks', label: 'Event webhooks', icon: 'logs', admin: true },
  ];
  const inThread = /^\/inbox\/[^/]+/.test(location.pathname);
  useEffect(() => {
    document.title = unread.data ? `(${unread.data}) Switchboard` : 'Switchboard';
  }, [unread.data]);
  return (
    <div className={`shell${inThread ? ' in-thread' : ''}`}>
      <header className="topbar">
        <button className="icon-button menu-toggle" aria-label="Menu" aria-expanded={menuOpen} onClick={() => setMenuOpen(!menuOpen)}>
          <Icon name="menu" size={22} />
        </button>
        <NavLink to="/inbox" className="brand">
          Switchboard
        </NavLink>
        <span className="tenant">{me?.tenant.name}</span>
        <span className={`live live-${live}`} title={`Real-time updates: ${live}`} data-testid="live-state">
          {live === 'live' ? '● Live' : live === 'connecting' ? '○ Connecting' : '○ Offline'}
        </span>
        <span className="who" title={user?.email}>
          {user?.name} <small>({user?.role})</small>
        </span>
        <button className="link-button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <nav className={`sidebar${menuOpen ? ' open' : ''}`} onClick={() => setMenuOpen(false)}>
        {links
          .filter((link) => (!link.admin || isAdmin) && (!link.owner || isOwner))
          .map((link) => (
            <NavLink key={link.to} to={link.to} className={({ isActive }) => `nav-link${isActive ? ' active' : ''}`}>
              <Icon name={link.icon} /> {link.label}
              {link.badge ? (
                <span className="badge" data-testid="nav-unread">
                  {link.badge}
                </span>
              ) : null}
            </NavLink>
          ))}
      </nav>
      <MentionToasts />
      <main className="content">
        <Suspense fallback={<div className="page">Loading…</div>}>
          <Routes>
            <Route path="/" element={<Navigate to="/inbox" replace />} />
            <Route path="/login" element={<Navigate to="/inbox" replace />} />
            <Route path="/setup" element={<Navigate to="/inbox" replace />} />
            <Route path="/inbox" element={<InboxPage />} />
            <Route path="/inbox/:conversationId" element={<InboxPage />} />
            <Route path="/compose" element={<ComposePage />} />
            <Route path="/contacts" element={<ContactsPage />} />
            <Route path="/contacts/:contactId" element={<ContactsPage />} />
            <Route path="/logs" element={<LogsPage />} />
            <Route path="/sandbox" element={<SandboxPage />} />
            <Route path="/settings" element={<SettingsPage />} />
            <Route path="/templates" element={<TemplatesPage />} />
            <Route path="/cases" element={<CasesPage />} />
            <Route path="/cases/:caseId" element={<CasesPage />} />
            <Route path="/organisation" element={<AdminOnly><OrganisationPage /></AdminOnly>} />
            <Route path="/audit-log" element={<OwnerOnly><AuditLogPage /></OwnerOnly>} />
            <Route path="/workflows" element={<AdminOnly><WorkflowsPage /></AdminOnly>} />
            <Route path="/workflows/:workflowId" element={<AdminOnly><WorkflowsPage /></AdminOnly>} />
            <Route path="/event-webhooks" element={<AdminOnly><EventWebhooksPage /></AdminOnly>} />
            <Route
              path="/admin/*"
              element={
                <AdminOnly>
                  <AdminPage />
                </AdminOnly>
              }
            />
            <Route path="*" element={<div className="page">Page not found.</div>} />
          </Routes>
        </Suspense>
      </main>
    </div>
  );
}
