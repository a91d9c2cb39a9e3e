-- The sample estate's objects, created as a schema-conversion tool would (as the RDS master).
CREATE SCHEMA hr;
CREATE SCHEMA sales;
CREATE TABLE hr.employees (employee_id int PRIMARY KEY, last_name text, salary numeric, commission_pct numeric);
CREATE TABLE hr.departments (department_id int PRIMARY KEY, department_name text);
CREATE TABLE hr.jobs (job_id text PRIMARY KEY);
CREATE TABLE hr.job_history (employee_id int, start_date date, end_date date);
CREATE TABLE hr.locations (location_id int);
CREATE VIEW hr.emp_details_view AS SELECT employee_id, last_name FROM hr.employees;
CREATE SEQUENCE hr.employees_seq;
CREATE PROCEDURE hr.add_job_history(p_emp int) LANGUAGE sql AS 'INSERT INTO hr.job_history(employee_id) VALUES (p_emp)';
CREATE FUNCTION hr.get_salary(p_emp int) RETURNS numeric LANGUAGE sql AS 'SELECT salary FROM hr.employees WHERE employee_id = p_emp';
CREATE FUNCTION hr.dept_name(p_dept int) RETURNS text LANGUAGE sql AS 'SELECT department_name FROM hr.departments WHERE department_id = p_dept';
CREATE TABLE sales.orders (order_id int);
CREATE MATERIALIZED VIEW sales.order_totals AS SELECT count(*) AS n FROM sales.orders;
