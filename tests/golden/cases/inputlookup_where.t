# inputlookup with a where clause
query: | inputlookup accounts.csv where environment=prod*
---
account_id,owner,environment
111122223333,platform-team,production
