() => {
  // Words (runs of non-space characters in one text node) that the layout broke across two lines at a
  // place other than after a hyphen, slash, dash, dot or underscore: "prel/ievi", "100 | 000". Plotly's SVG,
  // scripts and preformatted text are left out. Returns "word (page position)" for each, at most 20.
  const ALLOWED = "-/–—._";
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => {
      const parent = node.parentElement;
      if (!parent || parent.closest("script, style, svg, pre, [hidden], .visually-hidden")) return NodeFilter.FILTER_REJECT;
      return node.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT;
    },
  });
  const range = document.createRange();
  const top = (node, start, end) => {
    range.setStart(node, start); range.setEnd(node, end);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0);
    return rects.length ? rects[0].top : null;
  };
  const lines = (node, start, end) => {
    range.setStart(node, start); range.setEnd(node, end);
    return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top / 4))).size;
  };
  for (let node = walker.nextNode(); node && found.length < 20; node = walker.nextNode()) {
    const text = node.textContent;
    // A number whose digit groups are written with spaces ("100 000") must stay on one line.
    for (const m of text.matchAll(/\d{1,3}(?: \d{3})+(?!\d)/g)) {
      if (lines(node, m.index, m.index + m[0].length) > 1) found.push(m[0].replace(/ /g, " | "));
    }
    for (const m of text.matchAll(/[^ \t\n\r]+/g)) {
      if (m[0].length < 2) continue;
      range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top / 4)));
      if (tops.size < 2) continue;
      let previous = top(node, m.index, m.index + 1);
      for (let i = 1; i < m[0].length; i++) {
        const here = top(node, m.index + i, m.index + i + 1);
        if (here !== null && previous !== null && here > previous + 4) {
          if (!ALLOWED.includes(m[0][i - 1])) found.push(`${m[0].slice(0, i)}|${m[0].slice(i)}`);
          break;
        }
        if (here !== null) previous = here;
      }
    }
  }
  return found;
}
