// A hashtag row that "Add another" adds to a campaign gets the next position and the first
// offered colour no row on the page has (the server gives its own new rows theirs the same
// way: campaigns/admin/campaign.py), so two hashtags never share a colour by default.
'use strict';
document.addEventListener('formset:added', (event) => {
  if (event.detail.formsetName !== 'campaign_hashtags') return;
  const row = event.target;
  const others = [...row.parentElement.querySelectorAll('tr.form-row:not(.empty-form)')].filter(
    (other) => other !== row,
  );
  const colour = row.querySelector('input[type=color]');
  const used = new Set(
    others.map((other) => other.querySelector('input[type=color]')?.value.toLowerCase()),
  );
  const offered = JSON.parse(colour.dataset.colours || '[]');
  colour.value = offered.find((candidate) => !used.has(candidate)) || colour.value;
  const positions = others
    .map((other) => parseInt(other.querySelector('input[name$="-position"]')?.value, 10))
    .filter(Number.isFinite);
  row.querySelector('input[name$="-position"]').value = String(Math.max(-1, ...positions) + 1);
});
