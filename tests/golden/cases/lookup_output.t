# lookup adds columns from a CSV by a key
query: * | lookup accounts.csv account_id AS recipientAccountId OUTPUT owner environment | stats count by recipientAccountId owner environment
---
recipientAccountId,owner,environment,count
111122223333,platform-team,production,8
444455556666,data-team,staging,3
