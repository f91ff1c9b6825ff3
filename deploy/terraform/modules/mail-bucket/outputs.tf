output "bucket_name" {
  description = "Bucket name."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "Bucket ARN."
  value       = aws_s3_bucket.this.arn
}

output "object_key_prefix" {
  description = "Key prefix SES writes under."
  value       = var.object_key_prefix
}
