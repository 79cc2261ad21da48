# != needs the field; NOT also keeps events without it
query: eventSource=s3* | eval f=if(errorCode=="success", null(), errorCode) | search NOT f=AccessDenied | table eventName f
---
eventName,f
DeleteBucket,
GetObject,
