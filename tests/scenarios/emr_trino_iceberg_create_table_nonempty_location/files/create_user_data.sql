CREATE SCHEMA iceberg.raw with (LOCATION = 's3a://sample-lakehouse/raw/');
CREATE TABLE iceberg.raw.user_data (
    registration_dttm 	timestamp(6),
		id 			    int,
		first_name 		varchar,
		last_name 		varchar,
		email 			varchar,
		gender 			varchar,
		ip_address 		varchar,
		cc 			    varchar,
		country 		varchar,
		birthdate 		varchar,
		salary 			double,
		title 			varchar,
		comments 		varchar
)
COMMENT 'Table with sample user data'
WITH (
    format = 'PARQUET',
	sorted_by = ARRAY['id'],
	location = 's3a://sample-lakehouse/raw/user_data/'
);
