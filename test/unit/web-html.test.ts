import { html, join, trusted } from "../../src/web/render/html";

describe("html templates", () => {
  test("values are escaped, nested templates are not", () => {
    const name = `<script>alert("x")</script> & 'Мария'`;
    const inner = html`<b>${name}</b>`;
    expect(html`<p title="${name}">${inner}</p>`.value).toBe(
      `<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Мария&#39;"><b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Мария&#39;</b></p>`,
    );
  });

  test("arrays are joined; null, undefined and false insert nothing; numbers are text", () => {
    expect(html`<ul>${["a", "<b>"].map((x) => html`<li>${x}</li>`)}</ul>`.value).toBe("<ul><li>a</li><li>&lt;b&gt;</li></ul>");
    expect(html`${null}${undefined}${false}${0}${4.25}`.value).toBe("04.25");
    expect(join([html`<i>1</i>`, null, "<2>"], trusted(", ")).value).toBe("<i>1</i>, &lt;2&gt;");
  });
});
