// Admin selects marked data-searchable become the admin's own select2 box: type to search.
'use strict';
{
  const $ = django.jQuery;
  $(() => $('select[data-searchable]').select2());
}
