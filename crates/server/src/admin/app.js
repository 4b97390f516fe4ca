// privzone admin page. It holds no data of its own: everything comes from the REST API, called
// with the credentials typed into the login form (kept in this tab's memory only).

const API = '/api/v3/onezone';
const TITLES = {
  users: 'Users',
  groups: 'Groups',
  spaces: 'Spaces',
  handle_services: 'Handle services',
  handles: 'Handles',
};

let session = null; // { authorization, me, oz: Set of the caller's effective oz privileges }
const labels = new Map(); // "kind/id" → Promise of a display name
let shown = 0; // bumped by every detail view, so a slow earlier one never overwrites a later one

const $ = (selector) => document.querySelector(selector);

/** An error answered by the API: HTTP status and Onezone's `{"error":{id, description, details}}`. */
class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.description ?? `HTTP ${status}`);
    this.status = status;
    this.error = body?.error;
  }
}

async function api(method, path, body) {
  const headers = { Authorization: session.authorization };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  // `omit`: our header is the only credential, and a 401 never opens the browser's login dialog.
  const res = await fetch(API + path, {
    method,
    headers,
    credentials: 'omit',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, '');
    else if (value !== false && value != null) node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function showError(e) {
  const box = $('#error');
  if (e instanceof ApiError && e.error) {
    const { id, description, details } = e.error;
    box.replaceChildren(el('strong', {}, `${e.status} ${id}`), ` ${description}`);
    const auth = details?.authError;
    if (auth) box.append(el('br'), el('strong', {}, auth.id), ` ${auth.description}`);
    else if (details) box.append(el('br'), el('code', {}, JSON.stringify(details)));
  } else {
    box.replaceChildren(String(e?.message ?? e));
  }
  box.hidden = false;
}

function clearError() {
  $('#error').hidden = true;
}

const base64 = (text) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

// ---- login ----

$('#login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const authorization = 'Basic ' + base64(`${form.get('username')}:${form.get('password')}`);
  session = { authorization };
  try {
    const [me, oz] = await Promise.all([api('GET', '/user'), api('GET', '/user/effective_privileges')]);
    session = { authorization, me, oz: new Set(oz.privileges) };
  } catch (e) {
    session = null;
    showError(e);
    return;
  }
  clearError();
  event.target.reset();
  event.target.hidden = true;
  $('#app').hidden = false;
  $('#logout').hidden = false;
  $('#whoami').textContent = `${session.me.username ?? session.me.fullName} (${session.me.userId})`;
  showKind('users');
});

$('#logout').addEventListener('click', () => {
  session = null;
  labels.clear();
  clearError();
  $('#app').hidden = true;
  $('#logout').hidden = true;
  $('#whoami').textContent = '';
  $('#list').replaceChildren();
  $('#detail').replaceChildren();
  $('#login').hidden = false;
});

for (const button of document.querySelectorAll('#kinds button')) {
  button.addEventListener('click', () => showKind(button.dataset.kind));
}

// ---- lists ----

/** Everything of a kind for holders of `oz_<kind>_list`; otherwise the caller's own entities. */
async function listIds(kind) {
  if (kind === 'users') {
    return session.oz.has('oz_users_list') ? (await api('GET', '/users')).users : [session.me.userId];
  }
  if (session.oz.has(`oz_${kind}_list`)) return (await api('GET', `/${kind}`))[kind];
  return (await api('GET', `/user/effective_${kind}`))[kind];
}

function nameOf(kind, record) {
  if (kind === 'users') return record.username ?? record.fullName;
  if (kind === 'handles') return record.publicHandle;
  return record.name;
}

/** The display name of an entity, read through `path` (a route the caller may read), else its id. */
function label(kind, id, path = `/${kind}/${id}`) {
  const key = `${kind}/${id}`;
  if (!labels.has(key)) {
    labels.set(
      key,
      api('GET', path).then(
        (record) => nameOf(kind, record) ?? id,
        () => {
          labels.delete(key);
          return id;
        },
      ),
    );
  }
  return labels.get(key);
}

async function showKind(kind) {
  for (const b of document.querySelectorAll('#kinds button')) {
    b.setAttribute('aria-pressed', String(b.dataset.kind === kind));
  }
  clearError();
  const view = ++shown;
  $('#detail').replaceChildren();
  $('#detail').removeAttribute('aria-busy');
  const list = $('#list');
  list.replaceChildren(el('h2', {}, TITLES[kind]), el('p', {}, 'Loading…'));
  try {
    const ids = await listIds(kind);
    const items = await Promise.all(ids.map(async (id) => ({ id, name: await label(kind, id) })));
    items.sort((a, b) => a.name.localeCompare(b.name));
    if (view !== shown) return;
    list.replaceChildren(
      el('h2', {}, TITLES[kind]),
      items.length === 0
        ? el('p', {}, 'None visible to you.')
        : el('ul', {}, ...items.map(({ id, name }) => el('li', {}, entityButton(kind, id, name)))),
    );
  } catch (e) {
    if (view !== shown) return;
    list.replaceChildren(el('h2', {}, TITLES[kind]));
    showError(e);
  }
}

function entityButton(kind, id, name) {
  const open = () => (kind === 'users' ? showUser(id) : showEntity(kind, id));
  return el('button', { type: 'button', class: 'link', title: id, onclick: open }, name);
}

// ---- privilege toggles ----

/** Sends the documented `PATCH {grant}` / `{revoke}` for one checkbox, then reloads the view. */
async function toggle(box, path, privilege, reload) {
  box.disabled = true;
  const change = box.checked ? { grant: [privilege] } : { revoke: [privilege] };
  try {
    await api('PATCH', `${path}/privileges`, change);
  } catch (e) {
    box.checked = !box.checked;
    box.disabled = false;
    showError(e);
    return;
  }
  clearError();
  await reload();
}

/** A checkbox for a direct privilege (direct members only) and a mark for an effective one. */
function privilegeMarks(row, privilege, reload) {
  const effective = row.effective.has(privilege);
  const mark = el('span', { class: 'eff', title: effective ? 'effective' : '' }, effective ? '✓' : '');
  if (!row.directPrivileges) return [mark];
  const box = el('input', {
    type: 'checkbox',
    checked: row.directPrivileges.has(privilege),
    'aria-label': `${row.name}: ${privilege}`,
    title: `${privilege} (direct)`,
  });
  box.addEventListener('change', () => toggle(box, row.path, privilege, reload));
  return [box, mark];
}

// ---- one entity: members × privileges ----

async function showEntity(kind, id) {
  clearError();
  const detail = $('#detail');
  const base = `/${kind}/${id}`;
  // A group's member groups are its children.
  const groupSegment = kind === 'groups' ? 'children' : 'groups';
  const reload = () => showEntity(kind, id);
  const view = ++shown;
  detail.setAttribute('aria-busy', 'true');
  try {
    const [record, catalog, users, effectiveUsers, groups, effectiveGroups] = await Promise.all([
      api('GET', base),
      api('GET', `/${kind}/privileges`),
      api('GET', `${base}/users`),
      api('GET', `${base}/effective_users`),
      api('GET', `${base}/${groupSegment}`),
      api('GET', `${base}/effective_${groupSegment}`),
    ]);
    const privileges = [...new Set([...catalog.member, ...(catalog.manager ?? []), ...catalog.admin])];
    const rows = [
      ...effectiveUsers.users.map((uid) => ({ kind: 'users', segment: 'users', id: uid, direct: users.users.includes(uid) })),
      ...effectiveGroups.groups.map((gid) => ({ kind: 'groups', segment: groupSegment, id: gid, direct: groups.groups.includes(gid) })),
    ];
    await Promise.all(rows.map((row) => loadRow(base, groupSegment, row)));
    rows.sort((a, b) => b.kind.localeCompare(a.kind) || a.name.localeCompare(b.name));
    if (view !== shown) return;
    const prefix = kind.replace(/s$/, '_');
    detail.replaceChildren(
      el('h2', {}, `${TITLES[kind].replace(/s$/, '')}: ${nameOf(kind, record) ?? id}`),
      el('p', { class: 'id' }, id),
      el('details', {}, el('summary', {}, 'Record'), el('pre', {}, JSON.stringify(record, null, 2))),
      el('p', { class: 'legend' }, 'Checkbox: direct privilege (click to grant or revoke). ✓: effective privilege.'),
      el(
        'table',
        { class: 'matrix' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            el('th', { scope: 'col' }, 'Member'),
            el('th', { scope: 'col' }, 'Membership'),
            ...privileges.map((p) => el('th', { scope: 'col', class: 'privilege', title: p }, el('span', {}, p.replace(prefix, '')))),
          ),
        ),
        el(
          'tbody',
          {},
          ...rows.map((row) =>
            el(
              'tr',
              { 'data-member': `${row.kind}/${row.id}` },
              el('th', { scope: 'row', title: row.id }, row.name, el('small', {}, row.kind === 'users' ? ' user' : ' group')),
              el('td', { class: 'via' }, row.via),
              ...privileges.map((p) => el('td', {}, ...privilegeMarks(row, p, reload))),
            ),
          ),
        ),
      ),
      rows.length === 0 ? el('p', {}, 'No members.') : '',
    );
  } catch (e) {
    if (view !== shown) return;
    detail.replaceChildren();
    showError(e);
  } finally {
    if (view === shown) detail.removeAttribute('aria-busy');
  }
}

/** Fills in a member row: name, effective and direct privileges, and how it is a member. */
async function loadRow(base, groupSegment, row) {
  row.path = `${base}/${row.segment}/${row.id}`;
  const effective = `${base}/effective_${row.segment}/${row.id}`;
  const [name, eff, direct, membership] = await Promise.all([
    label(row.kind, row.id, effective),
    api('GET', `${effective}/privileges`),
    row.direct ? api('GET', `${row.path}/privileges`) : null,
    api('GET', `${effective}/membership`).catch(() => null),
  ]);
  row.name = name;
  row.effective = new Set(eff.privileges);
  row.directPrivileges = direct && new Set(direct.privileges);
  row.via = membership ? await intermediaries(base, groupSegment, membership.intermediaries) : row.direct ? 'direct' : '';
}

/** `[{type, id: "self"}, {type: "group", id}]` → "direct, via <group name>". */
async function intermediaries(base, groupSegment, list) {
  const names = await Promise.all(
    list.map((i) => (i.id === 'self' ? 'direct' : label('groups', i.id, `${base}/effective_${groupSegment}/${i.id}`).then((n) => `via ${n}`))),
  );
  return names.join(', ');
}

// ---- one user: record, oz privileges, memberships ----

async function showUser(uid) {
  clearError();
  const detail = $('#detail');
  const self = uid === session.me.userId;
  const reload = () => showUser(uid);
  const view = ++shown;
  detail.setAttribute('aria-busy', 'true');
  try {
    const [record, catalog, direct, effective] = await Promise.all([
      api('GET', `/users/${uid}`),
      api('GET', '/privileges'),
      api('GET', `/users/${uid}/privileges`),
      api('GET', `/users/${uid}/effective_privileges`),
    ]);
    const row = {
      name: record.username ?? uid,
      path: `/users/${uid}`,
      effective: new Set(effective.privileges),
      directPrivileges: new Set(direct.privileges),
    };
    const memberships = await Promise.all(
      ['groups', 'spaces', 'handle_services', 'handles'].map(async (kind) => {
        const path = self ? `/user/effective_${kind}` : `/users/${uid}/effective_${kind}`;
        const ids = await api('GET', path).then((r) => r[kind], () => []);
        const items = await Promise.all(ids.map(async (id) => entityButton(kind, id, await label(kind, id))));
        return el('li', {}, `${TITLES[kind]}: `, ...(items.length ? items : ['—']));
      }),
    );
    const ozPrivileges = [...new Set([...catalog.viewer, ...catalog.admin])];
    if (view !== shown) return;
    detail.replaceChildren(
      el('h2', {}, `User: ${row.name}`),
      el('p', { class: 'id' }, uid),
      el('details', {}, el('summary', {}, 'Record'), el('pre', {}, JSON.stringify(record, null, 2))),
      el('h3', {}, 'Effective memberships'),
      el('ul', { class: 'memberships' }, ...memberships),
      el('h3', {}, 'Onezone admin privileges'),
      el('p', { class: 'legend' }, 'Checkbox: direct privilege (click to grant or revoke). ✓: effective privilege.'),
      el('ul', { class: 'oz' }, ...ozPrivileges.map((p) => el('li', {}, el('label', {}, ...privilegeMarks(row, p, reload), p)))),
    );
  } catch (e) {
    if (view !== shown) return;
    detail.replaceChildren();
    showError(e);
  } finally {
    if (view === shown) detail.removeAttribute('aria-busy');
  }
}
