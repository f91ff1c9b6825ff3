/**
 * The in-process bus: the embedded default. Handlers run synchronously in publish order; a
 * throwing handler is isolated so one bad subscriber cannot starve the others.
 */
import type { Bus, ControlEvent, ControlHandler, EventHandler, MailboxEvent } from '../core/events.js';

export class MemoryBus implements Bus {
  private readonly handlers = new Map<string, Set<EventHandler>>();
  private readonly control = new Set<ControlHandler>();

  async publishControl(event: ControlEvent): Promise<void> {
    for (const h of [...this.control]) {
      try {
        h(event);
      } catch {
        // as for mailbox events: one listener's failure is its own
      }
    }
  }

  async subscribeControl(handler: ControlHandler): Promise<() => void> {
    this.control.add(handler);
    return () => void this.control.delete(handler);
  }

  async publish(address: string, event: MailboxEvent): Promise<void> {
    const set = this.handlers.get(address);
    if (!set) return;
    for (const h of [...set]) {
      try {
        h(event);
      } catch {
        // a subscriber's own failure is its business; the others still get the event
      }
    }
  }

  async subscribe(address: string, handler: EventHandler): Promise<() => void> {
    let set = this.handlers.get(address);
    if (!set) this.handlers.set(address, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0 && this.handlers.get(address) === set) this.handlers.delete(address);
    };
  }

  async healthy(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.handlers.clear();
    this.control.clear();
  }
}
