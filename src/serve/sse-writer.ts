/**
 * @file Server-sent events in OpenAI's streaming format: `data: <json>\n\n` per chunk, `data: [DONE]\n\n` at the end.
 * Writes respect backpressure (a slow client pauses the writer, not the model's memory).
 */
import type { ServerResponse } from 'node:http';

export class SseWriter {
  private started = false;

  constructor(private readonly response: ServerResponse) {}

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    this.response.flushHeaders();
  }

  /** Whether the headers went out (after that, errors must be sent as an event). */
  get headersSent(): boolean {
    return this.started;
  }

  /** Sends one `data:` event; resolves when the socket accepted it (or the client is gone). */
  async send(payload: unknown): Promise<void> {
    this.start();
    if (this.response.destroyed || this.response.writableEnded) return;
    const text = `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;
    if (!this.response.write(text)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.response.off('drain', done);
          this.response.off('close', done);
          resolve();
        };
        this.response.on('drain', done);
        this.response.on('close', done);
      });
    }
  }

  /** `data: [DONE]` and the end of the response. */
  async finish(): Promise<void> {
    await this.send('[DONE]');
    this.response.end();
  }
}
