# stats with several functions, by two fields
query: sourcetype=aws:cloudtrail | stats count dc(eventName) as apis values(src_ip) as ips min(_time) as firstTime max(_time) as lastTime by user_arn aws_account_id
---
user_arn,aws_account_id,count,apis,ips,firstTime,lastTime
arn:aws:iam::111122223333:user/alice,111122223333,4,4,198.51.100.10,1717228800,1717230300
arn:aws:iam::111122223333:user/bob,111122223333,4,3,203.0.113.5,1717228860,1717230600
arn:aws:sts::444455556666:assumed-role/Admin/carol,444455556666,3,2,192.0.2.44,1717229400,1717229580
