/** Reads mail from the stack's mail catcher through its Mailpit-compatible HTTP API. */

interface MailSummary {
  ID: string;
  Subject: string;
}

export async function latestMailTo(
  mailUrl: string,
  address: string,
): Promise<{ Subject: string; Text: string }> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const response = await fetch(`${mailUrl}/api/v1/search?query=${encodeURIComponent(`to:${address}`)}`);
    const { messages } = (await response.json()) as { messages: MailSummary[] };
    const newest = messages[0];
    if (newest) {
      const full = await fetch(`${mailUrl}/api/v1/message/${newest.ID}`);
      return (await full.json()) as { Subject: string; Text: string };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no mail to ${address}`);
}
