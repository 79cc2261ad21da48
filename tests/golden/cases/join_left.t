# join type=left merges a subsearch's columns by key
query: eventName=ConsoleLogin | stats count as logins by user | join type=left user [search eventSource=s3.amazonaws.com | stats values(eventName) as s3_calls by user]
---
user,logins,s3_calls
alice,1,GetObject
bob,2,"DeleteBucket
PutBucketAcl"
