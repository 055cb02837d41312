// Report QA: a table answer sorted by clicking a column heading. Progressive enhancement:
// without this script a table is plain HTML in the question's order. Each sortable heading
// (data-sort="number" or "text") becomes a button; a cell's data-key is what it sorts by,
// and rows without one (a report that states no such figure) stay last either way.
"use strict";

function sortable(table) {
  const body = table.tBodies[0];
  const headings = Array.from(table.tHead.rows[0].cells);
  const rows = Array.from(body.rows);
  const lang = document.documentElement.lang || undefined;
  headings.forEach((th, column) => {
    const kind = th.dataset.sort;
    if (!kind) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    while (th.firstChild) button.appendChild(th.firstChild);
    th.appendChild(button);
    th.setAttribute("aria-sort", "none");
    button.addEventListener("click", () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      headings.forEach((h) => h.dataset.sort && h.setAttribute("aria-sort", "none"));
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const key = (row) => row.cells[column].dataset.key || "";
      const sorted = rows.slice().sort((a, b) => {
        const x = key(a);
        const y = key(b);
        if (x === "" || y === "") return (x === "") - (y === "");
        const order = kind === "number" ? Number(x) - Number(y) : x.localeCompare(y, lang);
        return ascending ? order : -order;
      });
      sorted.forEach((row) => body.appendChild(row));
    });
  });
}

document.querySelectorAll("table[data-sortable]").forEach(sortable);
