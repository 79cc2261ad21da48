# where compares numbers as numbers
query: * | eval t=_time % 3600 | where t >= 1200 | table eventName t
---
eventName,t
DeleteBucket,1800
RunInstances,1500
DescribeInstances,1200
