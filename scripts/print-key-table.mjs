// Prints the README key table from the action registry (after `npm run build`).
const { keyTableMarkdown } = await import('../dist/ui/key-table.js');
console.log(keyTableMarkdown());
