/**
 * A mailbox's delivery timeline beside its messages (issue #16 item 4): every attempt to deliver
 * to the address, accepted, refused or faulted, with the SMTP answer the sender was given — the
 * answer to "my email never arrived". Read through the SDK (`…/deliveries`); the inbox refreshes
 * it when mail arrives, on a timer, and on the Refresh button (refusals raise no event).
 */
import { api, type AttemptJson, type Cred } from './api';
import { h, replace } from './dom';
import { errorText, when } from './util';

const LABEL: Record<string, string> = { accepted: 'accepted', refused: 'refused', fault: 'faulted' };

export class DeliveryTimeline {
  private readonly list = h('ol', { class: 'deliveries', id: 'delivery-list' });
  private readonly status = h('span', { class: 'muted small', role: 'status' });
  readonly element: HTMLElement;
  private loading = false;

  constructor(
    private readonly address: string,
    private readonly cred: Cred,
  ) {
    const refresh = h('button', { class: 'btn small', type: 'button', id: 'refresh-deliveries' }, 'Refresh');
    refresh.addEventListener('click', () => void this.refresh());
    this.element = h(
      'section',
      { class: 'timeline', 'aria-labelledby': 'deliveries-h' },
      h('div', { class: 'inline spread' }, h('h2', { id: 'deliveries-h' }, 'Delivery attempts'), this.status, refresh),
      this.list,
    );
  }

  async refresh(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    try {
      this.render(await api.deliveries(this.address, this.cred));
      this.status.textContent = '';
    } catch (err) {
      this.status.textContent = `Could not load: ${errorText(err)}`;
    } finally {
      this.loading = false;
    }
  }

  private render(attempts: AttemptJson[]): void {
    if (attempts.length === 0) {
      replace(this.list, h('li', { class: 'muted small' }, 'No delivery attempts yet.'));
      return;
    }
    replace(
      this.list,
      attempts.map((a) =>
        h(
          'li',
          { class: `attempt ${a.outcome}`, 'data-outcome': a.outcome },
          h('span', { class: `badge ${a.outcome}` }, LABEL[a.outcome] ?? a.outcome),
          h('time', { class: 'when', datetime: a.at }, when(a.at)),
          h('span', { class: 'response mono' }, a.response),
          h(
            'span',
            { class: 'muted small detail' },
            a.envelope_from ? `from ${a.envelope_from}` : 'no envelope sender',
            a.reason ? ` · ${a.reason}` : null,
            a.size !== null ? ` · ${a.size} bytes` : null,
            a.source === 'ses' ? ' · via SES' : null,
            a.fault ? ` · ${a.fault.scope === 'group' ? "the run group's" : 'this mailbox\'s'} fault script at ${a.fault.stage.toUpperCase()} (used ${a.fault.used}${a.fault.times === null ? '' : ` of ${a.fault.times}`})` : null,
          ),
        ),
      ),
    );
  }
}
