import type MarkdownIt from "markdown-it";

/**
 * Between the Markdown the app writes (plans, workflow outputs) and Confluence's storage format,
 * the XHTML its editor saves. Going in, raw HTML in the Markdown is escaped, not passed on (a plan
 * quotes issues and the model), links keep only safe schemes, code blocks become Confluence's code
 * macro and images become links (storage format has its own image element). Coming out, a page is
 * read as plain text for the planner: macro parameters and hidden parts are dropped, structure
 * kept as line breaks and list marks. Both libraries are loaded when first needed, so a server
 * without Confluence never loads them.
 */

type Renderer = InstanceType<typeof MarkdownIt>;

let renderer: Promise<Renderer> | undefined;

function markdownRenderer(): Promise<Renderer> {
  return (renderer ??= import("markdown-it").then(({ default: Markdown }) => {
    const markdown = new Markdown({ html: false, xhtmlOut: true, linkify: false });
    markdown.renderer.rules.fence = (tokens, index) => {
      const token = tokens[index]!;
      const language = token.info.trim().split(/\s+/)[0] ?? "";
      const parameter = /^[A-Za-z0-9+#-]{1,30}$/.test(language) ? `<ac:parameter ac:name="language">${language}</ac:parameter>` : "";
      // "]]>" would end the CDATA section early; split it across two sections instead.
      const code = token.content.replace(/\]\]>/g, "]]]]><![CDATA[>");
      return `<ac:structured-macro ac:name="code">${parameter}<ac:plain-text-body><![CDATA[${code}]]></ac:plain-text-body></ac:structured-macro>\n`;
    };
    markdown.renderer.rules.code_block = markdown.renderer.rules.fence;
    markdown.renderer.rules.image = (tokens, index) => {
      const token = tokens[index]!;
      const src = markdown.utils.escapeHtml(String(token.attrGet("src") ?? ""));
      return `<a href="${src}">${markdown.utils.escapeHtml(token.content || src)}</a>`;
    };
    return markdown;
  }));
}

/** Markdown as a page body in storage format. */
export async function toStorage(text: string): Promise<string> {
  return (await markdownRenderer()).render(text);
}

const BLOCKS = new Set(["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "pre", "blockquote", "ul", "ol", "hr", "ac:structured-macro", "ac:plain-text-body"]);
/** What a reader does not see as text: macro parameters, placeholders, and scripts or styles if any slipped in. */
const UNSEEN = new Set(["ac:parameter", "ac:placeholder", "script", "style", "ri:attachment"]);

/** Styles that hide an element from readers of the page. */
const HIDDEN_STYLE = /(display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0)/i;

/** A page's storage format as plain text: what a reader of the page sees, one block a line. */
export async function storageToText(storage: string): Promise<string> {
  const { Parser } = await import("htmlparser2");
  let text = "";
  // For each open element, whether it hides what is inside it; xmlMode closes every element it opens.
  const hiding: boolean[] = [];
  let unseen = 0;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const hides = UNSEEN.has(name) || "hidden" in attributes || HIDDEN_STYLE.test(attributes.style ?? "");
        hiding.push(hides);
        if (hides) unseen++;
        if (unseen > 0) return;
        if (name === "li") text += "\n- ";
        else if (name === "br") text += "\n";
        else if (name === "td" || name === "th") text += " | ";
        else if (BLOCKS.has(name)) text += "\n";
      },
      onclosetag(name) {
        if (hiding.pop()) unseen--;
        else if (unseen === 0 && BLOCKS.has(name)) text += "\n";
      },
      ontext(data) {
        if (unseen === 0) text += data;
      },
    },
    { xmlMode: true, decodeEntities: true, recognizeCDATA: true },
  );
  parser.write(storage);
  parser.end();
  return text
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n\s*\n(?=- )/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
