-- AWS Defense Evasion Delete Cloudtrail: DeleteTrail calls to CloudTrail, not from the
-- console, that succeeded, grouped as the detection's stats groups them.
-- spelunk's field names come from the AWS add-on's knowledge; here they are spelled out:
-- src = sourceIPAddress, region = awsRegion, user_arn = userIdentity.arn (else the
-- requested role), aws_account_id = recipientAccountId, errorCode=success = no errorCode.
SELECT sourceIPAddress AS src,
       awsRegion AS region,
       eventName,
       userAgent,
       coalesce(json_extract_string(userIdentity, '$.arn'),
                json_extract_string(requestParameters, '$.roleArn')) AS user_arn,
       recipientAccountId AS aws_account_id,
       count(*) AS count,
       min(eventTime) AS firstTime,
       max(eventTime) AS lastTime,
       list(DISTINCT json_extract_string(requestParameters, '$.name')) AS deleted_cloudtrail_name
FROM events
WHERE eventName = 'DeleteTrail'
  AND eventSource = 'cloudtrail.amazonaws.com'
  AND userAgent <> 'console.amazonaws.com'
  AND errorCode IS NULL
GROUP BY ALL;
