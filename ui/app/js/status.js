// Status → group, colour family, icon and label. One colour per meaning
// (ui.md "Status language"), mirrored from lifecycle::category_with_reason.

import { t, t2 } from './i18n.js';

export const GROUPS = ['to_do', 'blocked', 'in_progress', 'issued', 'paid', 'rejected', 'all'];

// Group membership, as IPC.md "Group" (the shell does the same server-side).
const GROUP_STATUSES = {
  to_do: ['checked', 'blocked', 'to_verify', 'to_post', 'rejected', 'suspended', 'routing_error',
    'disputed', 'partially_approved', 'unknown'],
  blocked: ['blocked'],
  // Until the plateforme issued it; what follows happens to an issued invoice.
  in_progress: ['queued', 'sending', 'deposited'],
  issued: ['issued', 'received', 'made_available', 'taken_over', 'completed', 'approved', 'endorsed', 'payment_sent'],
  paid: ['paid'],
  rejected: ['rejected', 'refused', 'cancelled'],
};

export function inGroup(group, status, reason) {
  if (group === 'all') return true;
  if (group === 'to_do' && status === 'refused') return isMandatAbsent(reason);
  return GROUP_STATUSES[group]?.includes(status) ?? false;
}

const isMandatAbsent = (r) => (r || '').toUpperCase() === 'MANDAT_ABSENT';

// « Prête à envoyer » is good news, not a wait: green with a tick.
const CATEGORY = {
  checked: 'success', queued: 'waiting', sending: 'waiting', deposited: 'waiting',
  received: 'waiting', made_available: 'waiting', taken_over: 'waiting', completed: 'waiting',
  issued: 'success', approved: 'success', endorsed: 'success', payment_sent: 'success', paid: 'success',
  blocked: 'action', to_verify: 'action', to_post: 'action', rejected: 'action', suspended: 'action',
  routing_error: 'action', disputed: 'action', partially_approved: 'action', unknown: 'action',
  refused: 'closed', cancelled: 'closed',
};

/** success | waiting | action | closed */
export function category(status, reason) {
  if (status === 'refused' && isMandatAbsent(reason)) return 'action';
  return CATEGORY[status] || 'action';
}

const FINAL = new Set(['paid', 'rejected', 'refused', 'cancelled']);
export const isFinal = (status) => FINAL.has(status);

/** The label, with the reason when it changes the meaning (Vidéocodage, Mandat absent…). */
export function label(status, reason) {
  const key = `${status}/${(reason || '').toUpperCase()}`;
  const special = t2('reason_status', key);
  return special !== key ? special : t2('status', status);
}

const SVG = 'http://www.w3.org/2000/svg';
const PATHS = {
  success: 'M3.5 8.5l3 3 6-7',
  waiting: 'M8 4.5V8l2.5 1.5 M8 1.75a6.25 6.25 0 1 0 0 12.5a6.25 6.25 0 1 0 0-12.5',
  action: 'M8 4v5 M8 11.5v.5',
  closed: 'M4.5 8h7',
};

/** A small SVG icon for a category (decorative: the word is beside it). */
export function icon(cat) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'icon');
  const p = document.createElementNS(SVG, 'path');
  p.setAttribute('d', PATHS[cat] || PATHS.action);
  svg.append(p);
  return svg;
}

/** The coloured badge: icon + word, never colour alone. */
export function badge(status, reason) {
  const cat = category(status, reason);
  const span = document.createElement('span');
  span.className = `badge cat-${cat}`;
  span.dataset.status = status;
  span.append(icon(cat));
  const word = document.createElement('span');
  word.textContent = label(status, reason);
  span.append(word);
  span.title = t2('category', cat);
  return span;
}

export const groupLabel = (g) => t(`group_${g}`);
