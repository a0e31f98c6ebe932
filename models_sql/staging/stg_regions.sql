with

source as (

    select * from {{ source('raw', 'regions') }}

),

renamed as (

    select
        trim(region) as region

    from source

)

select * from renamed
