import type { RunStatus } from '../../../workflows/state.js';
import { h } from '../dom.js';
import { endedRunStatuses } from '../run-state.js';

/** The run-wide operator commands. */
export type RunCommand = 'pause' | 'resume' | 'cancel';

const confirmForMs = 4000;

/**
 * Pause, resume and cancel. Each is enabled only when the run's status allows it; cancel asks for a second click
 * (in place, no dialog) because it cannot be undone.
 */
export class RunControls {
  private readonly pause = h('button', { type: 'button', class: 'button', 'data-action': 'pause' }, 'Pause');
  private readonly resume = h('button', { type: 'button', class: 'button', 'data-action': 'resume' }, 'Resume');
  private readonly cancel = h('button', { type: 'button', class: 'button danger', 'data-action': 'cancel' }, 'Cancel run');
  readonly element = h('div', { class: 'controls', role: 'toolbar', 'aria-label': 'Run controls' }, this.pause, this.resume, this.cancel);
  private confirming: ReturnType<typeof setTimeout> | undefined;
  private sending = false;
  private status: RunStatus = 'running';

  constructor(send: (command: RunCommand) => Promise<unknown>) {
    const run = (command: RunCommand) => {
      this.sending = true;
      this.update(this.status);
      send(command).finally(() => {
        this.sending = false;
        this.update(this.status);
      }).catch(() => {});
    };
    this.pause.addEventListener('click', () => run('pause'));
    this.resume.addEventListener('click', () => run('resume'));
    this.cancel.addEventListener('click', () => {
      if (this.confirming === undefined) {
        this.cancel.textContent = 'Confirm cancel';
        this.cancel.dataset.confirm = 'true';
        this.confirming = setTimeout(() => this.disarm(), confirmForMs);
        return;
      }
      this.disarm();
      run('cancel');
    });
  }

  private disarm(): void {
    clearTimeout(this.confirming);
    this.confirming = undefined;
    this.cancel.textContent = 'Cancel run';
    delete this.cancel.dataset.confirm;
  }

  /** Enables what the run's status allows. */
  update(status: RunStatus): void {
    this.status = status;
    const ended = endedRunStatuses.includes(status);
    this.pause.disabled = this.sending || !(status === 'running' || status === 'waiting_for_operator');
    this.resume.disabled = this.sending || !(status === 'paused' || status === 'pausing');
    this.cancel.disabled = this.sending || ended;
    if (ended) this.disarm();
  }
}
