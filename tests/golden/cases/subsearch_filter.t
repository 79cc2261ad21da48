# a subsearch's results become a search
query: sourcetype=aws:cloudtrail [search errorCode=AccessDenied | table src_ip] | table eventName src_ip errorCode
---
eventName,src_ip,errorCode
DeleteBucket,203.0.113.5,success
PutBucketAcl,203.0.113.5,AccessDenied
ConsoleLogin,203.0.113.5,failure
ConsoleLogin,203.0.113.5,failure
