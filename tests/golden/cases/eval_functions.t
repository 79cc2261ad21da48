# eval with text, conditional and multivalue functions
query: * | eval accounts=mvcount('requestParameters.createVolumePermission.add.items{}.userId'), who=coalesce(user, userIdentity.sessionContext.sessionIssuer.userName), kind=case(like(eventName, "Describe%"), "read", eventName=="ConsoleLogin", "login", true(), "write") | table eventName who kind accounts
---
eventName,who,kind,accounts
DeleteBucket,bob,write,
RunInstances,alice,write,
DescribeInstances,alice,read,
ModifySnapshotAttribute,,write,
ModifySnapshotAttribute,,write,2
CreateSnapshot,,write,
PutBucketAcl,bob,write,
GetObject,alice,write,
ConsoleLogin,bob,login,
ConsoleLogin,bob,login,
ConsoleLogin,alice,login,
