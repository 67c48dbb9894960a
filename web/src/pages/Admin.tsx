/** Admin (owners and admins): provider accounts, numbers, users, API keys and webhook diagnostics. */
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { ApiKeysTab } from './admin/ApiKeys';
import { GroupsTab } from './admin/Groups';
import { LabelsTab } from './admin/Labels';
import { NumbersTab } from './admin/Numbers';
import { OptOutsTab } from './admin/OptOuts';
import { ProvidersTab } from './admin/Providers';
import { UsersTab } from './admin/Users';
import { WebhooksTab } from './admin/Webhooks';

export default function AdminPage() {
  const tabs = [
    ['providers', 'Provider accounts'],
    ['numbers', 'Numbers'],
    ['users', 'Users'],
    ['groups', 'Groups'],
    ['labels', 'Labels'],
    ['api-keys', 'API keys'],
    ['webhooks', 'Webhook log'],
    ['opt-outs', 'Opt-outs'],
  ];
  return (
    <div className="page admin-page">
      <h1>Admin</h1>
      <nav className="tabs">
        {tabs.map(([path, label]) => (
          <NavLink key={path} to={`/admin/${path}`} className={({ isActive }) => `tab${isActive ? ' active' : ''}`}>
            {label}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<Navigate to="providers" replace />} />
        <Route path="providers" element={<ProvidersTab />} />
        <Route path="numbers" element={<NumbersTab />} />
        <Route path="users" element={<UsersTab />} />
        <Route path="groups" element={<GroupsTab />} />
        <Route path="labels" element={<LabelsTab />} />
        <Route path="api-keys" element={<ApiKeysTab />} />
        <Route path="webhooks" element={<WebhooksTab />} />
        <Route path="opt-outs" element={<OptOutsTab />} />
      </Routes>
    </div>
  );
}
