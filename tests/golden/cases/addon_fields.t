# the add-on's search-time fields of a failed console login
query: eventName=ConsoleLogin errorCode=failure | head 1 | table user user_arn src src_ip action status authentication_method dest app signature vendor_account aws_account_id eventtype tag
---
user,user_arn,src,src_ip,action,status,authentication_method,dest,app,signature,vendor_account,aws_account_id,eventtype,tag
bob,arn:aws:iam::111122223333:user/bob,203.0.113.5,203.0.113.5,failure,failure,SFA,https://console.aws.amazon.com/console/home,AwsConsoleSignIn,ConsoleLogin,111122223333,111122223333,"aws_cloudtrail_auth
aws_cloudtrail_consolelogin_auth
aws_cloudtrail_errors
err0r","authentication
cloud
default
error"
