# fillnull with a field list creates and fills
query: * | fillnull value=none user errorMessage | table eventName user errorMessage
---
eventName,user,errorMessage
DeleteBucket,bob,none
RunInstances,alice,none
DescribeInstances,alice,none
ModifySnapshotAttribute,none,none
ModifySnapshotAttribute,none,none
CreateSnapshot,none,none
PutBucketAcl,bob,Access Denied
GetObject,alice,none
ConsoleLogin,bob,Failed authentication
ConsoleLogin,bob,Failed authentication
ConsoleLogin,alice,none
