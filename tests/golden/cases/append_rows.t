# append adds a subsearch's results after the current ones
query: eventName=DeleteBucket | table eventName user | append [search eventName=GetObject | table eventName requestParameters.bucketName]
---
eventName,user,requestParameters.bucketName
DeleteBucket,bob,
GetObject,,finance-reports
